from mesh_platform.domain_api import run_migrations
from stats.adapters.tables import StatsTable

run_migrations(StatsTable.metadata)
