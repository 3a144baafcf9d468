"""Use cases of incidents: open, update and resolve them from reported check outcomes; acknowledge and resolve by
an owner; list them with their history and the catalog's detection, notification and repair times."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from catalog.adapters.incident_store import SqlIncidentStore
from catalog.domain.incidents import BATCH_ONLY_PREFIX, CheckOutcome, Incident, IncidentChange
from mesh_platform.errors import NotFound

NotificationSink = Callable[[Connection, str, Incident], None]
"""Queues a notification (``opened``/``resolved``/...) about an incident in the caller's transaction."""


class IncidentService:
    """Incidents, one per product major and rule while its check fails; resolves itself after enough passes."""

    def __init__(
        self, engine: Engine, store: SqlIncidentStore, notify: NotificationSink, *, passes_to_resolve: int = 3,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.store = store
        self.notify = notify
        self.passes_to_resolve = passes_to_resolve
        self.clock = clock
        self._writes = threading.Lock()

    def observe(self, outcomes: Iterable[CheckOutcome]) -> list[Incident]:
        """Apply reported outcomes (oldest first); the incidents they opened, changed or resolved."""
        outcomes = sorted(outcomes, key=lambda o: o.ran_at)
        touched: list[Incident] = []
        with self._writes, self.engine.begin() as connection:
            for outcome in [*outcomes, *self._batch_only_passes(connection, outcomes)]:
                incident = self._apply(connection, outcome)
                if incident is not None:
                    touched.append(incident)
        return touched

    def _batch_only_passes(self, connection: Connection, outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
        """A pass of each open batch-only incident (schema conformance) of a product whose scheduled run this is."""
        passes = []
        runs = {(o.domain, o.product, o.major): o for o in outcomes if o.scope == "schedule"}
        failing = {(o.domain, o.product, o.major, o.rule) for o in outcomes if o.failing}
        for (domain, product, major), run in runs.items():
            for incident in self.store.list(connection, domain=domain, product=product, open_only=True):
                key = (domain, product, major, incident.rule)
                if incident.major == major and incident.rule.startswith(BATCH_ONLY_PREFIX) and key not in failing:
                    passes.append(CheckOutcome(domain, product, major, incident.rule, "passed", run.ran_at,
                                               message="the product was checked whole since; the events were kept out",
                                               job=run.job, scope="schedule"))
        return passes

    def _apply(self, connection: Connection, outcome: CheckOutcome) -> Incident | None:
        now = self.clock()
        key = (outcome.domain, outcome.product, outcome.major, outcome.rule)
        incident = self.store.open_incident(connection, *key)
        if outcome.failing:
            if incident is None:
                incident = Incident.open(outcome, now, self.store.last_pass(connection, *key))
                self.store.save(connection, incident)
                self.notify(connection, "opened", incident)
            else:
                incident.failed_again(outcome, now)
                self.store.save(connection, incident)
        elif incident is not None:
            incident.passed(outcome, now, self.passes_to_resolve)
            self.store.save(connection, incident)
            if not incident.is_open:
                self.notify(connection, "resolved", incident)
        self.store.record_check(connection, *key, "passed" if not outcome.failing else outcome.status, outcome.ran_at)
        return incident

    def acknowledge(self, incident_id: int, actor: str, note: str | None = None) -> Incident:
        """An owner takes the incident on (:class:`IncidentTransitionError` unless it is new)."""
        with self._writes, self.engine.begin() as connection:
            incident = self._get(connection, incident_id)
            incident.acknowledge(actor, self.clock(), note)
            self.store.save(connection, incident)
            self.notify(connection, "acknowledged", incident)
            return incident

    def resolve(self, incident_id: int, actor: str, reason: str) -> Incident:
        """An owner closes the incident, saying why (:class:`IncidentTransitionError` if resolved or no reason)."""
        with self._writes, self.engine.begin() as connection:
            incident = self._get(connection, incident_id)
            incident.resolve(actor, self.clock(), reason)
            self.store.save(connection, incident)
            self.notify(connection, "resolved", incident)
            return incident

    def mark_notified(self, incident_id: int, channel: str) -> None:
        """A notification about the incident went out (the first one sets its time to notify)."""
        with self._writes, self.engine.begin() as connection:
            incident = self.store.get(connection, incident_id)
            if incident is not None:
                incident.mark_notified(self.clock(), channel)
                self.store.save(connection, incident)

    def get(self, incident_id: int) -> tuple[Incident, list[IncidentChange]]:
        with self.engine.connect() as connection:
            return self._get(connection, incident_id), self.store.history(connection, incident_id)

    def list(self, **filters: Any) -> list[Incident]:
        with self.engine.connect() as connection:
            return self.store.list(connection, **filters)

    def open_for(self, domain: str, product: str) -> builtins.list[Incident]:
        """The open incidents of a product (every major), newest first — the product page's banner."""
        return self.list(domain=domain, product=product, open_only=True)

    def figures(self) -> dict[str, Any]:
        with self.engine.connect() as connection:
            return self.store.figures(connection)

    def _get(self, connection: Connection, incident_id: int) -> Incident:
        incident = self.store.get(connection, incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}")
        return incident
