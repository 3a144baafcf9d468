"""The catalog's domain: products, versions, consumers, governance, lineage graph and search syntax (pure)."""
