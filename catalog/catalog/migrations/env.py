from catalog.adapters.tables import CatalogTable
from mesh_platform.store.migrations import run_migrations

run_migrations(CatalogTable.metadata)
