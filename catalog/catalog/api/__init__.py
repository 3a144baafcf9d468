"""The catalog's HTTP API: registry, consumers, search, OpenLineage (Marquez-compatible), metrics."""
