from mesh_platform.store.migrations import PLATFORM_VERSION_TABLE, run_migrations

run_migrations(None, version_table=PLATFORM_VERSION_TABLE)
