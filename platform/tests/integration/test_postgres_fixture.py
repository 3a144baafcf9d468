"""The PostgreSQL test harness works for a role that holds no privilege beyond creating databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mesh_tools.testing.postgres import admin_url, create_database, drop_database


@pytest.fixture
def unprivileged_admin_url() -> Iterator[str]:
    """An admin URL for a fresh role with CREATEDB only (no superuser, no pg_signal_backend)."""
    role, password = f"test_role_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE ROLE \"{role}\" LOGIN CREATEDB PASSWORD '{password}'"))
    try:
        yield make_url(admin_url()).set(username=role, password=password).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


def database_exists(name: str) -> bool:
    engine = create_engine(admin_url())
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is not None
    finally:
        engine.dispose()


def test_a_role_without_signal_privileges_drops_a_database_its_leaked_session_still_holds(unprivileged_admin_url):
    url = create_database(unprivileged_admin_url)
    leaked = create_engine(url)
    with leaked.connect() as connection:  # a session a test forgot to close, still open while the database is dropped
        connection.execute(text("CREATE TABLE t (x int)"))
        connection.commit()
        drop_database(url)
    leaked.dispose()
    assert not database_exists(make_url(url).database)


def test_dropping_a_database_that_is_already_gone_is_not_an_error(postgres_url):
    drop_database(postgres_url)
    drop_database(postgres_url)
    assert not database_exists(make_url(postgres_url).database)
