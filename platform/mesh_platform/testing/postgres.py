"""Real PostgreSQL for tests: a fresh database per test on the server ``scripts/postgres.sh`` starts."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
    """Drop the database of ``url`` (closing other sessions first)."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
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
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Each store test runs against a SQLite file and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")
