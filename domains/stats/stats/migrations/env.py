from mesh_platform.store.migrations import run_migrations
from stats.adapters.tables import StatsTable

run_migrations(StatsTable.metadata)
