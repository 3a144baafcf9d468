"""Results' domain model: pure Python, no web, broker or SQL."""
