"""The freshness SLI of the event port: how long after a change its event is on the topic.

A contract's ``slaProperties`` entry ``freshness`` (``value`` + ``unit``, e.g. 1 min) is the target. Each event the
relay publishes is one observation: *good* when it goes out within the target of the change (the event's time,
set when the command committed). Counted as good/total per product major so standard multi-window burn-rate
alerts work (``1 - good/total`` over a window against the error budget). While events wait — a stalled relay,
an unreachable broker, events held by a quality rule — the age of the oldest unpublished event shows it before
any of them is published late.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select

from mesh_platform.contracts import ContractRegistry

_SECONDS = {"ms": 0.001, "s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60,
            "minutes": 60, "h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400}


@dataclass(frozen=True)
class FreshnessTarget:
    """A product major's freshness objective on its topic."""

    contract_id: str
    major: int
    topic: str
    seconds: float


def freshness_targets(contracts: ContractRegistry, domain: str) -> dict[str, FreshnessTarget]:
    """The freshness target of each of ``domain``'s topics (products without a freshness SLA have none)."""
    targets = {}
    for contract in contracts.for_domain(domain):
        for sla in contract.document.get("slaProperties") or []:
            if sla.get("property") != "freshness":
                continue
            factor = _SECONDS.get(str(sla.get("unit") or "").strip().lower())
            value = sla.get("value")
            if factor is None or not isinstance(value, int | float):
                continue
            targets[contract.topic] = FreshnessTarget(contract.id, contract.major, contract.topic, value * factor)
    return targets


class FreshnessSLI:
    """Counts published events per product major, and those published within the freshness target."""

    def __init__(self, targets: dict[str, FreshnessTarget]) -> None:
        self.targets = targets
        self._lock = threading.Lock()
        self.total: dict[str, int] = {topic: 0 for topic in targets}
        self.good: dict[str, int] = {topic: 0 for topic in targets}
        self.last_latency: dict[str, float] = {}

    def observe(self, rows: Iterable[Any], now: datetime | None = None) -> None:
        """Count ``rows`` (outbox rows about to be published) by how long after their change they go out."""
        now = now or datetime.now(UTC)
        with self._lock:
            for row in rows:
                target = self.targets.get(row.topic)
                if target is None:
                    continue
                occurred = row.occurred_at if row.occurred_at.tzinfo else row.occurred_at.replace(tzinfo=UTC)
                latency = max(0.0, (now - occurred).total_seconds())
                self.total[row.topic] += 1
                if latency <= target.seconds:
                    self.good[row.topic] += 1
                self.last_latency[row.topic] = latency

    def oldest_pending(self, engine: Engine, outbox: Table, now: datetime | None = None) -> dict[str, float]:
        """Age in seconds of the oldest unpublished event of each topic with a target (0 when none waits)."""
        now = now or datetime.now(UTC)
        query = (
            select(outbox.c.topic, func.min(outbox.c.occurred_at))
            .where(outbox.c.published_at.is_(None), outbox.c.topic.in_(list(self.targets)))
            .group_by(outbox.c.topic)
        )
        ages = dict.fromkeys(self.targets, 0.0)
        with engine.connect() as connection:
            for topic, oldest in connection.execute(query):
                oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
                ages[topic] = max(0.0, (now - oldest).total_seconds())
        return ages
