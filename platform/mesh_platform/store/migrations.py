"""Alembic migrations of a service's own store, run programmatically at start-up."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any, Protocol

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, Engine, MetaData, func, select

from mesh_platform.store.platform_tables import define_platform_tables

_MIGRATION_LOCK = zlib.crc32(b"octagon-mesh:migrations")

PLATFORM_MIGRATIONS = Path(__file__).with_name("platform_migrations")
"""The platform's own revisions: tables it adds to every domain store after the domain's first revision."""
PLATFORM_VERSION_TABLE = "mesh_platform_version"
"""Where a store records the platform revision it is at (the domain's own revision stays in ``alembic_version``)."""


def upgrade_store(engine: Engine, migrations_dir: Path) -> None:
    """Bring the store behind ``engine`` to the newest revision found in ``migrations_dir``.

    Instances of one service share its store and may start at once: on PostgreSQL the upgrade runs under a
    transaction-level advisory lock, so one instance migrates while the others wait and then find nothing to do.
    """
    _upgrade(engine, migrations_dir)


def upgrade_platform_tables(engine: Engine) -> None:
    """Bring the platform's later tables (``quality_holds``, ``quality_metric_history``) to their newest revision.

    They live in the platform's own revision history (:data:`PLATFORM_MIGRATIONS`, version table
    :data:`PLATFORM_VERSION_TABLE`), beside the domain's, so every store — existing ones included — gets them
    without a revision per domain, on SQLite and PostgreSQL alike, under the same advisory lock as
    :func:`upgrade_store`. A store whose ``quality_holds`` predates its revision keeps the table as it is.
    """
    _upgrade(engine, PLATFORM_MIGRATIONS)


def _upgrade(engine: Engine, migrations_dir: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def run_migrations(target_metadata: MetaData | None, version_table: str = "alembic_version") -> None:
    """Body of a domain's ``env.py``: run the pending revisions on the connection :func:`upgrade_store` passed."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through mesh_platform.store.migrations.upgrade_store(engine, dir)")
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True, version_table=version_table
    )
    with context.begin_transaction():
        context.run_migrations()


class SchemaOperations(Protocol):
    """What the platform's revision helpers use of Alembic's ``op``: the module a revision imports, or an
    ``alembic.operations.Operations``."""

    def get_bind(self) -> Connection: ...

    def drop_table(self, table_name: str, **kw: Any) -> None: ...


def create_platform_tables(op: SchemaOperations) -> None:
    """Create the platform's tables (outbox, processed events, idempotency keys) in a domain's first revision.

    Tables the platform added later are not here: :func:`upgrade_platform_tables` keeps them in every store.
    """
    tables = define_platform_tables(MetaData())
    bind = op.get_bind()
    for table in (tables.outbox, tables.processed_events, tables.idempotency_keys):
        table.create(bind)


def drop_platform_tables(op: SchemaOperations) -> None:
    """Drop what :func:`create_platform_tables` created."""
    for name in ("idempotency_keys", "processed_events", "outbox_messages"):
        op.drop_table(name)
