from mesh_platform.store.migrations import run_migrations
from roster.adapters.tables import RosterTable

run_migrations(RosterTable.metadata)
