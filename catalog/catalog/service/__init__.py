"""The catalog's use cases: registry, consumers, search and lineage."""
