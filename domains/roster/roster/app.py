"""Roster's service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mesh_platform.domain_api import DomainService, SubscriptionReplay, replay_router
from roster.adapters.stats_replica import REPLICA_TABLES, SqlStatsReplicaUnitOfWork, fighters_with_stats
from roster.adapters.subscriptions import SUBSCRIPTION
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

    # Reverse ETL: stats' records and rankings, kept as a replica of their own and shown, labelled, with each fighter.
    service.subscribe(SUBSCRIPTION, service.unit_of_work_factory(SqlStatsReplicaUnitOfWork))
    service.serve(
        FIGHTERS.product, FIGHTERS.major, fighters_with_stats(FIGHTERS.source(service.engine)), FIGHTERS.filter_parsers()
    )
    executor = service.command_executor(unit_of_work, personal_data_of=FIGHTERS.product)
    replay = SubscriptionReplay.for_service(service, REPLICA_TABLES)  # rebuilds the replica, never a fighter
    return service.create_app(
        title="Octagon Mesh — roster",
        description="Owns the fighters; publishes the `fighters` data product (with a labelled replica of stats').",
        routers=[commands_router(executor), replay_router(replay, service.authorizer, DOMAIN)],
    )
