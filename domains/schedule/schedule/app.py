"""Schedule's service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mesh_platform.domain_api import DomainService
from schedule.adapters.roster_directory import RosterHttpDirectory
from schedule.adapters.subscriptions import SUBSCRIPTION
from schedule.adapters.tables import BOUTS, EVENT_CARDS, PLATFORM_TABLES
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
    for product in (EVENT_CARDS, BOUTS):
        service.serve(product.product, product.major, product.source(service.engine), product.filter_parsers())
    service.reads("roster", "fighters", 1, purpose="check that booked fighters exist, are active and in the weight class")
    directory = RosterHttpDirectory(settings.roster_url, service.credentials)
    service.on_shutdown(directory.close)
    executor = service.command_executor(unit_of_work)
    return service.create_app(
        title="Octagon Mesh — schedule",
        description="Owns event cards and bouts; publishes `event-cards` and `bouts`.",
        routers=[commands_router(executor, directory)],
    )

