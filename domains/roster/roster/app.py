"""Roster's service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mesh_platform.runtime import DomainService
from roster.adapters.tables import FIGHTERS, PLATFORM_TABLES
from roster.adapters.unit_of_work import SqlRosterUnitOfWork
from roster.api.commands import commands_router
from roster.settings import RosterSettings

DOMAIN = "roster"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RosterSettings | None = None) -> FastAPI:
    """The roster service."""
    settings = settings or RosterSettings()
    service = DomainService(settings, domain=DOMAIN, tables=PLATFORM_TABLES, migrations_dir=MIGRATIONS)

    unit_of_work = service.unit_of_work_factory(SqlRosterUnitOfWork)

    service.serve(FIGHTERS.product, FIGHTERS.major, FIGHTERS.source(service.engine), FIGHTERS.filter_parsers())
    executor = service.command_executor(unit_of_work, personal_data_of=FIGHTERS.product)
    return service.create_app(
        title="Octagon Mesh — roster",
        description="Owns the fighters; publishes the `fighters` data product.",
        routers=[commands_router(executor)],
    )
