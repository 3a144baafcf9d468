"""The HTTP edge every service shares: problem responses, health, readiness, metrics and data-product ports."""
