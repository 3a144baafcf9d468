"""``mesh up --postgres``: one PostgreSQL database per service, created when missing, on a server the user names.

Each service gets ``postgresql://…/mesh_<service>`` as its store (its instances share it); ``MESH_POSTGRES_DATABASE_PREFIX``
replaces ``mesh_`` (a test run of its own, two meshes on one server). The server is the one
``MESH_POSTGRES_URL`` points at (by default the local cluster that ``scripts/bootstrap.sh`` starts, role
``octagon``); the role needs CREATEDB. Databases are kept between runs, as the SQLite files are.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = "postgresql+psycopg://octagon:octagon@127.0.0.1:5432/postgres"
_SAFE_NAME = re.compile(r"[^a-z0-9_]")


def database_name(service: str, prefix: str | None = None) -> str:
    """``mesh_<service>`` (or ``<prefix><service>``) with every character PostgreSQL would need quoted replaced."""
    prefix = os.environ.get("MESH_POSTGRES_DATABASE_PREFIX", "mesh_") if prefix is None else prefix
    return _SAFE_NAME.sub("_", (prefix + service).lower())


def ensure_service_databases(admin_url: str, services: Iterable[str]) -> dict[str, str]:
    """Create the missing ``mesh_<service>`` databases; return each service's store URL."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    urls = {}
    try:
        with engine.connect() as connection:
            existing = set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
            for service in dict.fromkeys(services):
                name = database_name(service)
                if name not in existing:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
                urls[service] = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        engine.dispose()
    return urls
