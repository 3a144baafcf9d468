"""A service's own store: engine, platform tables, unit of work and migrations."""
