from mesh_platform.store.migrations import run_migrations
from results.adapters.tables import ResultsTable

run_migrations(ResultsTable.metadata)
