"""Results' HTTP edge: command endpoints and request/response schemas."""
