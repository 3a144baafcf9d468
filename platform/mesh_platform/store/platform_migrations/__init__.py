"""The platform's own Alembic revisions: tables it adds to every domain service's store after the domain's first
revision (quality holds, the metric history), under their own version table (see
:func:`mesh_platform.store.migrations.upgrade_platform_tables`)."""
