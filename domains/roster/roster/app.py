"""Roster's service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mesh_platform.runtime import DomainService
from mesh_platform.store.product_source import SqlTableSource
from roster.adapters.products import MAJOR, PRODUCT, row_record_v1
from roster.adapters.tables import PLATFORM_TABLES, FighterRow
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

    filters = {"weight_class": str, "status": str, "nationality": str}
    service.serve(
        PRODUCT, MAJOR, SqlTableSource(service.engine, FighterRow.__table__, "fighter_id", row_record_v1, filters), filters
    )
    executor = service.command_executor(unit_of_work, personal_data_of=PRODUCT)
    return service.create_app(
        title="Octagon Mesh — roster",
        description="Owns the fighters; publishes the `fighters` data product.",
        routers=[commands_router(executor)],
    )
