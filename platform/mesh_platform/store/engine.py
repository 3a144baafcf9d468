"""Engines for a service's own store: SQLite by default, PostgreSQL when ``DATABASE_URL`` says so."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from mesh_platform.private_paths import private_directory, private_file


def create_store_engine(url: str) -> Engine:
    """Create the engine of one service's store.

    SQLite gets WAL mode and a busy timeout because the web workers, the outbox relay and the subscription
    threads of one service write to the same file concurrently. Its file is created private (0600, in 0700
    directories the store creates); SQLite gives the ``-wal`` and ``-shm`` files the database file's mode.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            database = Path(parsed.database)
            private_directory(database.parent)
            private_file(database)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would pick psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


def is_postgresql(engine: Engine) -> bool:
    """Whether the store is PostgreSQL (row locking with SKIP LOCKED is available)."""
    return engine.dialect.name == "postgresql"


def _configure_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
