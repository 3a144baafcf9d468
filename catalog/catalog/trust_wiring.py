"""Wiring of the catalog's trust features: incidents, SLOs with error budgets, notifications (topic and webhooks).

Reported quality runs reach them through lineage ingestion (every stored event is shown to :meth:`Trust.observe`),
registrations through the registry's listeners; the dispatcher thread lives as long as the app.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from catalog.adapters.incident_store import SqlIncidentStore
from catalog.adapters.notification_dispatch import KafkaPublisher, NotificationDispatcher
from catalog.adapters.slo_store import SqlSloStore
from catalog.adapters.trust_tables import define_trust_tables
from catalog.api.incidents import incidents_router
from catalog.api.trust_metrics import TrustCollector
from catalog.domain.quality_feed import read_quality_run
from catalog.service.incidents import IncidentService
from catalog.service.lineage import LineageService
from catalog.service.notifications import NotificationService
from catalog.service.registry import RegistryService
from catalog.service.slo import SloService, SloSettings
from catalog.settings import CatalogSettings
from catalog.ui.trust_routes import trust_ui_router
from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs

log = logging.getLogger(__name__)

CATALOG_PRINCIPAL = "catalog"


@dataclass
class Trust:
    incidents: IncidentService
    slo: SloService
    notifications: NotificationService
    dispatcher: NotificationDispatcher

    def observe(self, payloads: Sequence[dict[str, Any]]) -> None:
        """Learn from stored lineage events: quality outcomes open or resolve incidents, SLI samples feed SLOs."""
        for payload in payloads:
            try:
                feed = read_quality_run(payload)
                if feed.outcomes:
                    self.incidents.observe(feed.outcomes)
                if feed.samples:
                    self.slo.record(feed.samples)
            except Exception:  # lineage is stored already; a failure here must not refuse the event
                log.exception("could not take quality results from a lineage event")

    def start(self) -> None:
        self.dispatcher.start()

    def stop(self) -> None:
        self.dispatcher.stop()


def build_trust(
    settings: CatalogSettings, engine: Engine, registry: RegistryService, lineage: LineageService
) -> Trust:
    """Services and dispatcher, hooked to lineage ingestion and to registrations."""
    tables = define_trust_tables(sa.MetaData())
    notifications = NotificationService(engine, tables, registry, lineage)
    incidents = IncidentService(engine, SqlIncidentStore(tables), notifications.incident_changed,
                                passes_to_resolve=settings.incident_passes_to_resolve)
    slo = SloService(engine, SqlSloStore(tables), registry, incidents, SloSettings(
        settings.slo_window_days, settings.slo_freshness_objective, timedelta(minutes=settings.slo_stale_minutes)))
    publisher = None
    if settings.notifications_kafka:
        kafka = KafkaClientSettings(bootstrap_servers=settings.kafka_bootstrap_servers)
        publisher = KafkaPublisher(lambda: kafka_client_kwargs(kafka.with_default_username(CATALOG_PRINCIPAL)))
    dispatcher = NotificationDispatcher(
        engine, tables, topic=settings.notifications_topic, publisher=publisher,
        recipients=notifications.recipients, notified=incidents.mark_notified,
        attempts=settings.webhook_attempts, backoff_seconds=settings.webhook_backoff_seconds,
        poll_seconds=settings.notifications_poll_seconds,
    )
    notifications.wake = dispatcher.wake
    trust = Trust(incidents, slo, notifications, dispatcher)
    lineage.listeners.append(trust.observe)
    registry.listeners.append(notifications.registration_changed)
    return trust


def install_trust(app: FastAPI, trust: Trust, metrics: CollectorRegistry) -> None:
    """Routes (API and UI), app state and metrics of the trust features."""
    app.state.trust = trust
    app.include_router(incidents_router())
    app.include_router(trust_ui_router())
    metrics.register(TrustCollector(trust))
