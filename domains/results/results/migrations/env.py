from mesh_platform.domain_api import run_migrations
from results.adapters.tables import ResultsTable

run_migrations(ResultsTable.metadata)
