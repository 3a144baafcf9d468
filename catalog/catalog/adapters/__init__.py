"""The catalog's store: SQL tables, repository, full-text search, lineage store, service probe."""
