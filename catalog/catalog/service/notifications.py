"""Use cases of notifications: queue them (in the transaction of the change they announce), address them, and keep
the webhooks consumers registered.

Queued notifications are rows of ``notifications`` (an outbox): the dispatcher thread publishes them on the
catalog's topic and POSTs them to webhooks later, so no request ever waits on Kafka or on a subscriber's server.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from catalog.adapters.trust_tables import TrustTables
from catalog.domain.incidents import Incident
from catalog.domain.lineage_graph import UnknownNode
from catalog.domain.model import DataProduct, Lifecycle, ProductVersion
from catalog.domain.notifications import (
    TYPES,
    Recipients,
    downstream_products,
    new_secret,
    notification_channels,
)
from catalog.service.lineage import LineageService
from catalog.service.registry import RegistryService
from mesh_platform.errors import NotFound


class InvalidWebhook(ValueError):
    """A webhook registration the catalog refuses; the message says why."""


class NotificationService:
    """Queues notifications and knows who they are for."""

    def __init__(
        self, engine: Engine, tables: TrustTables, registry: RegistryService, lineage: LineageService, *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC), wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.registry = registry
        self.lineage = lineage
        self.clock = clock
        self.wake = wake
        self._lock = threading.Lock()

    # queueing ------------------------------------------------------------------------------------------------------

    def enqueue(self, connection: Connection, kind: str, domain: str, product: str, major: int,
                data: dict[str, Any], incident_id: int | None = None) -> str:
        """Queue a notification of ``kind`` (a key of ``TYPES``) about ``domain``/``product`` v``major``."""
        event_id = str(uuid.uuid4())
        connection.execute(sa.insert(self.tables.notifications).values(
            event_id=event_id, type=TYPES[kind], subject=f"{domain}/{product}", at=self.clock(),
            data={"kind": kind, "domain": domain, "product": product, "major": major, **data},
            incident_id=incident_id, published_at=None, webhooks_done_at=None, attempts=0, last_error=None,
        ))
        return event_id

    def incident_changed(self, connection: Connection, verb: str, incident: Incident) -> None:
        """The incident service's sink: ``opened``, ``acknowledged`` or ``resolved``."""
        self.enqueue(connection, f"incident.{verb}", incident.domain, incident.product, incident.major,
                     {"incident": incident.as_dict()}, incident_id=incident.id)
        self.wake()

    def registration_changed(self, product: DataProduct, before: ProductVersion | None, after: ProductVersion) -> None:
        """The registry's listener: a new major is a breaking change; deprecation, sunset and retirement are news."""
        found: list[tuple[str, dict[str, Any]]] = []
        if before is None and any(major < after.major for major in product.versions):
            found.append(("breaking-change", {"version": after.version, "previousMajors": sorted(
                major for major in product.versions if major < after.major)}))
        status_before = before.status if before else None
        if after.status is Lifecycle.DEPRECATED and status_before is not Lifecycle.DEPRECATED:
            found.append(("deprecation", {"version": after.version, "sunsetDate": _day(after.sunset_date)}))
        if after.sunset_date and (before is None or before.sunset_date != after.sunset_date):
            found.append(("sunset", {"version": after.version, "sunsetDate": _day(after.sunset_date)}))
        if after.status is Lifecycle.RETIRED and status_before is not Lifecycle.RETIRED:
            found.append(("retired", {"version": after.version}))
        if not found:
            return
        with self.engine.begin() as connection:
            for kind, data in found:
                self.enqueue(connection, kind, after.domain, after.product, after.major, data)
        self.wake()

    # addressing ----------------------------------------------------------------------------------------------------

    def recipients(self, domain: str, product: str, major: int) -> Recipients:
        """The product major's consumers, the products downstream of it with theirs, and its notification channels."""
        consumers = sorted({c.consumer for c in self.registry.consumers(domain=domain, product=product)
                            if c.major == major})
        downstream = []
        graph = self.lineage.graph

        def downstream_of(node: str) -> list[str]:
            try:
                return graph.neighbours(node)[1]
            except UnknownNode:
                return []

        for other in downstream_products(f"dataset:octagon.{domain}:{product}.v{major}", downstream_of):
            if other == (domain, product, major):
                continue
            names = sorted({c.consumer for c in self.registry.consumers(domain=other[0], product=other[1])
                            if c.major == other[2]})
            downstream.append({"domain": other[0], "product": other[1], "major": other[2], "consumers": names})
        try:
            contract = self.registry.version(domain, product, major).contract
        except NotFound:
            contract = {}
        return Recipients(tuple(consumers), tuple(downstream), notification_channels(contract))

    # webhooks ------------------------------------------------------------------------------------------------------

    def add_webhook(self, owner: str, url: str, domain: str | None, product: str | None) -> dict[str, Any]:
        """Register ``url`` for ``owner``; the reply carries the signing secret (shown this once)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidWebhook(f"url must be an absolute http(s) URL, found {url!r}")
        if product and not domain:
            raise InvalidWebhook("product needs its domain")
        secret = new_secret()
        with self.engine.begin() as connection:
            webhook_id = connection.execute(sa.insert(self.tables.webhooks).values(
                owner=owner, url=url, secret=secret, domain=domain, product=product, created_at=self.clock(),
                active=True).returning(self.tables.webhooks.c.id)).scalar_one()
        return {**self._webhook_view(webhook_id, owner, url, domain, product), "secret": secret}

    def webhooks(self, owner: str | None) -> list[dict[str, Any]]:
        """The active webhooks of ``owner`` (all of them for ``None``)."""
        w = self.tables.webhooks
        query = sa.select(w).where(w.c.active.is_(True)).order_by(w.c.id)
        if owner is not None:
            query = query.where(w.c.owner == owner)
        with self.engine.connect() as connection:
            return [self._webhook_view(r["id"], r["owner"], r["url"], r["domain"], r["product"])
                    for r in connection.execute(query).mappings()]

    def remove_webhook(self, webhook_id: int, owner: str | None) -> None:
        """Deactivate a webhook of ``owner`` (any webhook for ``None``); :class:`NotFound` if there is none."""
        w = self.tables.webhooks
        query = sa.update(w).where(w.c.id == webhook_id, w.c.active.is_(True)).values(active=False)
        if owner is not None:
            query = query.where(w.c.owner == owner)
        with self.engine.begin() as connection:
            if connection.execute(query).rowcount == 0:
                raise NotFound(f"no webhook {webhook_id} of yours")

    def deliveries(self, webhook_id: int, owner: str | None, limit: int = 50) -> list[dict[str, Any]]:
        d, n, w = self.tables.webhook_deliveries, self.tables.notifications, self.tables.webhooks
        query = (sa.select(d.c.at, d.c.status, d.c.attempts, d.c.response_status, d.c.error, n.c.event_id, n.c.type)
                 .join(n, n.c.id == d.c.notification_id).join(w, w.c.id == d.c.webhook_id)
                 .where(d.c.webhook_id == webhook_id).order_by(d.c.id.desc()).limit(limit))
        if owner is not None:
            query = query.where(w.c.owner == owner)
        with self.engine.connect() as connection:
            return [{**row, "at": row["at"].isoformat()} for row in connection.execute(query).mappings()]

    def recent(self, limit: int = 50, subject: str | None = None) -> list[dict[str, Any]]:
        """The latest notifications (newest first), with whether they went out."""
        n = self.tables.notifications
        query = sa.select(n).order_by(n.c.id.desc()).limit(limit)
        if subject:
            query = query.where(n.c.subject == subject)
        with self.engine.connect() as connection:
            return [{"id": row["event_id"], "type": row["type"], "subject": row["subject"],
                     "time": row["at"].isoformat(), "data": row["data"],
                     "published": row["published_at"] is not None, "attempts": row["attempts"]}
                    for row in connection.execute(query).mappings()]

    @staticmethod
    def _webhook_view(webhook_id: int, owner: str, url: str, domain: str | None, product: str | None) -> dict[str, Any]:
        return {"id": webhook_id, "owner": owner, "url": url, "domain": domain, "product": product}


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None
