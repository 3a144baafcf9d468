"""Real PostgreSQL for tests: a fresh database per test on the server ``scripts/postgres.sh`` starts."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

DEFAULT_ADMIN_URL = "postgresql+psycopg://octagon:octagon@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """Where tests create their databases (``MESH_TEST_POSTGRES_URL`` overrides)."""
    return os.environ.get("MESH_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


def create_database(url: str) -> str:
    """Create a uniquely named database on the server of ``url``; return its URL."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of ``url``, first ending the sessions our own role still holds on it.

    ``DROP DATABASE … WITH (FORCE)`` is not used: on PostgreSQL 15 it refuses to terminate an autovacuum worker
    unless the caller is a member of ``pg_signal_backend``, a privilege a test role need not have. A plain
    ``DROP DATABASE`` cancels autovacuum by itself, and a role may always end its own sessions (left behind by an
    engine a test did not dispose of). Another role's session on the database is retried for a while, then reported.
    """
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for attempt in Retrying(
                retry=retry_if_exception_type(OperationalError),
                wait=wait_exponential(multiplier=0.05, max=1.0),
                stop=stop_after_attempt(20),
                reraise=True,
            ):
                with attempt:
                    connection.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()"
                        ),
                        {"name": target.database},
                    )
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    try:
        url = create_database(admin_url())
    except Exception as e:  # a missing server is a broken setup, not a reason to skip
        pytest.fail(f"PostgreSQL is not reachable at {admin_url()} ({e}); run scripts/postgres.sh")
    yield url
    drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs against a SQLite file and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    result: str = request.getfixturevalue("postgres_url")
    return result
