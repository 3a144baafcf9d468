"""Schedule's service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import FastAPI

from mesh_platform.runtime import DomainService
from mesh_platform.store.product_source import SqlTableSource
from schedule.adapters.products import BOUTS_PRODUCT, CARDS_PRODUCT, MAJOR, bout_row_record_v1, card_row_record_v1
from schedule.adapters.roster_directory import RosterHttpDirectory
from schedule.adapters.subscriptions import SUBSCRIPTION
from schedule.adapters.tables import PLATFORM_TABLES, BoutRow, CardRow
from schedule.adapters.unit_of_work import SqlScheduleUnitOfWork
from schedule.api.commands import commands_router
from schedule.settings import ScheduleSettings

DOMAIN = "schedule"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ScheduleSettings | None = None) -> FastAPI:
    """The schedule service."""
    settings = settings or ScheduleSettings()
    service = DomainService(settings, domain=DOMAIN, tables=PLATFORM_TABLES, migrations_dir=MIGRATIONS)

    unit_of_work = service.unit_of_work_factory(SqlScheduleUnitOfWork)

    service.subscribe(SUBSCRIPTION, unit_of_work)
    card_filters = {"status": str, "country": str, "date": date.fromisoformat}
    service.serve(
        CARDS_PRODUCT,
        MAJOR,
        SqlTableSource(service.engine, CardRow.__table__, "card_id", card_row_record_v1, card_filters),
        card_filters,
    )
    bout_filters = {"card_id": str, "status": str, "weight_class": str, "card_date": date.fromisoformat}
    service.serve(
        BOUTS_PRODUCT,
        MAJOR,
        SqlTableSource(service.engine, BoutRow.__table__, "bout_id", bout_row_record_v1, bout_filters),
        bout_filters,
    )
    service.reads("roster", "fighters", 1, purpose="check that booked fighters exist, are active and in the weight class")
    directory = RosterHttpDirectory(settings.roster_url, service.credentials)
    executor = service.command_executor(unit_of_work)
    return service.create_app(
        title="Octagon Mesh — schedule",
        description="Owns event cards and bouts; publishes `event-cards` and `bouts`.",
        routers=[commands_router(executor, directory)],
    )

