"""``mesh up --postgres`` gives every service a database of its own, created once and kept between runs."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text

from mesh_tools.launcher.postgres_stores import database_name, ensure_service_databases
from mesh_tools.testing.postgres import admin_url, drop_database


def test_each_service_gets_its_own_database_and_a_second_run_reuses_it():
    service = f"svc-{uuid.uuid4().hex[:8]}"
    urls = ensure_service_databases(admin_url(), [service, service])
    try:
        assert list(urls) == [service]
        engine = create_engine(urls[service])
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE kept (x int)"))
        engine.dispose()
        assert ensure_service_databases(admin_url(), [service]) == urls  # created once, kept
        engine = create_engine(urls[service])
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM kept")).scalar_one() == 0
        engine.dispose()
        assert urls[service].endswith("/" + database_name(service)) and "-" not in database_name(service)
    finally:
        drop_database(urls[service])
