"""Results' use cases: recording a result, and keeping the bout replica up to date."""
