"""Stats' service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mesh_platform.domain_api import DomainService, SubscriptionReplay, replay_router
from stats.adapters.subscriptions import SUBSCRIPTION
from stats.adapters.tables import FIGHTER_RECORDS, PLATFORM_TABLES, RANKINGS, REBUILT_TABLES
from stats.adapters.unit_of_work import SqlStatsUnitOfWork
from stats.settings import StatsSettings

DOMAIN = "stats"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: StatsSettings | None = None) -> FastAPI:
    """The stats service."""
    settings = settings or StatsSettings()
    service = DomainService(settings, domain=DOMAIN, tables=PLATFORM_TABLES, migrations_dir=MIGRATIONS)

    unit_of_work = service.unit_of_work_factory(SqlStatsUnitOfWork)

    # Handlers by roster's and results' event classes, then one re-derivation of what each batch made stale.
    service.subscribe(SUBSCRIPTION, unit_of_work)
    for product in (FIGHTER_RECORDS, RANKINGS):
        service.serve(product.product, product.major, product.source(service.engine), product.filter_parsers())
    replay = SubscriptionReplay.for_service(service, REBUILT_TABLES)
    return service.create_app(
        title="Octagon Mesh — stats",
        description="Derives `fighter-records` and `rankings` from roster's and results' events only.",
        routers=[replay_router(replay, service.authorizer, DOMAIN)],
    )
