from mesh_platform.domain_api import run_migrations
from roster.adapters.tables import RosterTable

run_migrations(RosterTable.metadata)
