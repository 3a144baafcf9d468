"""Results' service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mesh_platform.domain_api import DomainService
from results.adapters.schedule_directory import ScheduleHttpDirectory
from results.adapters.subscriptions import SUBSCRIPTION
from results.adapters.tables import BOUT_RESULTS, PLATFORM_TABLES
from results.adapters.unit_of_work import SqlResultsUnitOfWork
from results.api.commands import commands_router
from results.settings import ResultsSettings

DOMAIN = "results"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ResultsSettings | None = None) -> FastAPI:
    """The results service."""
    settings = settings or ResultsSettings()
    service = DomainService(settings, domain=DOMAIN, tables=PLATFORM_TABLES, migrations_dir=MIGRATIONS)

    unit_of_work = service.unit_of_work_factory(SqlResultsUnitOfWork)

    service.subscribe(SUBSCRIPTION, unit_of_work)
    service.serve(
        BOUT_RESULTS.product, BOUT_RESULTS.major, BOUT_RESULTS.source(service.engine), BOUT_RESULTS.filter_parsers()
    )
    service.reads("schedule", "bouts", 1, purpose="find the scheduled bout a result is recorded for")
    directory = ScheduleHttpDirectory(settings.schedule_url, service.credentials)
    service.on_shutdown(directory.close)
    executor = service.command_executor(unit_of_work)
    return service.create_app(
        title="Octagon Mesh — results",
        description="Owns bout outcomes; publishes `bout-results`.",
        routers=[commands_router(executor, directory)],
    )
