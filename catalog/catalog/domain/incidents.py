"""Incidents: one per product major and rule while its check fails or its SLO is breached (pure).

Lifecycle, as data-observability tools run it: **new** (opened by a failing check) → **acknowledged** (an owner is
on it) → **resolved** (by an owner, with a reason; or by itself once the check has passed ``passes_to_resolve``
times in a row). A resolved incident stays resolved; the next failure opens a new one. Every change is an entry of
the incident's append-only history.

Measured per incident, as the catalog saw it:

* **time to detect** — from when the defect is estimated to have begun (the previous passing check of the rule, or
  for freshness the moment the oldest waiting event was written) to the failing check that opened it;
* **time to notify** — from opening to the first notification delivered (topic or webhook);
* **time to repair** — from opening to resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class IncidentStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class IncidentTransitionError(ValueError):
    """A change the incident's state does not allow (e.g. acknowledging a resolved incident)."""


FAILING_STATUSES = frozenset({"failed", "error", "warned"})
BATCH_ONLY_PREFIX = "schema:"
"""Rules checked on published batches only (an event's conformance to its type): no scheduled run reports them, so
a scheduled run of the product that follows counts as their pass — the product was checked whole since, and the
offending events were kept out of it."""


@dataclass(frozen=True)
class CheckOutcome:
    """One run of one rule (or SLO) of a product major, as a domain service reported it."""

    domain: str
    product: str
    major: int
    rule: str
    status: str
    """passed, failed, warned, error — or ``breached`` for an SLO."""
    ran_at: datetime
    message: str | None = None
    measured: str | None = None
    began_at: datetime | None = None
    """When the defect began, if the check can tell (freshness: when the oldest waiting event was written)."""
    job: str | None = None
    scope: str | None = None
    """``batch`` (a published batch), ``schedule`` (the whole product) or None (an SLO)."""

    @property
    def failing(self) -> bool:
        return self.status in FAILING_STATUSES or self.status == "breached"

    @property
    def severity(self) -> str:
        """``warning`` for a warn-level rule, else ``critical``."""
        return "warning" if self.status == "warned" else "critical"


@dataclass
class IncidentChange:
    """One entry of an incident's history."""

    at: datetime
    kind: str
    """opened, failed-again, passed, acknowledged, resolved, notified."""
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Incident:
    """An open or past incident of one rule of one product major."""

    domain: str
    product: str
    major: int
    rule: str
    severity: str
    status: IncidentStatus
    title: str
    opened_at: datetime
    began_at: datetime
    last_failure_at: datetime
    failures: int = 1
    consecutive_passes: int = 0
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    notified_at: datetime | None = None
    last_message: str | None = None
    id: int | None = None
    changes: list[IncidentChange] = field(default_factory=list)

    @classmethod
    def open(cls, outcome: CheckOutcome, now: datetime, last_pass: datetime | None) -> Incident:
        """A new incident for a failing ``outcome``; the defect began at the last pass before it if known."""
        began = outcome.began_at or last_pass or outcome.ran_at
        incident = cls(
            domain=outcome.domain, product=outcome.product, major=outcome.major, rule=outcome.rule,
            severity=outcome.severity, status=IncidentStatus.NEW,
            title=f"{outcome.rule} {outcome.status} on {outcome.domain}/{outcome.product} v{outcome.major}",
            opened_at=now, began_at=min(began, outcome.ran_at), last_failure_at=outcome.ran_at,
            last_message=outcome.message,
        )
        incident.changes.append(IncidentChange(now, "opened", "catalog", _outcome_detail(outcome)))
        return incident

    @property
    def is_open(self) -> bool:
        return self.status is not IncidentStatus.RESOLVED

    @property
    def time_to_detect(self) -> float:
        """Seconds from the estimated start of the defect to the catalog opening the incident."""
        return max(0.0, (self.opened_at - self.began_at).total_seconds())

    @property
    def time_to_notify(self) -> float | None:
        return None if self.notified_at is None else max(0.0, (self.notified_at - self.opened_at).total_seconds())

    @property
    def time_to_repair(self) -> float | None:
        return None if self.resolved_at is None else max(0.0, (self.resolved_at - self.opened_at).total_seconds())

    def failed_again(self, outcome: CheckOutcome, now: datetime) -> None:
        """Another failing run: the streak of passes starts over."""
        self.failures += 1
        self.consecutive_passes = 0
        self.last_failure_at = outcome.ran_at
        self.last_message = outcome.message
        if outcome.severity == "critical":
            self.severity = "critical"
        self.changes.append(IncidentChange(now, "failed-again", "catalog", _outcome_detail(outcome)))

    def passed(self, outcome: CheckOutcome, now: datetime, passes_to_resolve: int) -> None:
        """A passing run; the incident resolves itself after ``passes_to_resolve`` of them in a row."""
        self.consecutive_passes += 1
        self.changes.append(IncidentChange(now, "passed", "catalog",
                                           {**_outcome_detail(outcome), "consecutivePasses": self.consecutive_passes}))
        if self.consecutive_passes >= passes_to_resolve:
            self._resolve(now, "catalog", f"the check passed {self.consecutive_passes} consecutive times")

    def acknowledge(self, actor: str, now: datetime, note: str | None = None) -> None:
        if self.status is not IncidentStatus.NEW:
            raise IncidentTransitionError(f"incident {self.id} is {self.status.value}; only a new one can be acknowledged")
        self.status = IncidentStatus.ACKNOWLEDGED
        self.acknowledged_at, self.acknowledged_by = now, actor
        self.changes.append(IncidentChange(now, "acknowledged", actor, {"note": note} if note else {}))

    def resolve(self, actor: str, now: datetime, reason: str) -> None:
        if not reason.strip():
            raise IncidentTransitionError("a reason is required to resolve an incident")
        if self.status is IncidentStatus.RESOLVED:
            raise IncidentTransitionError(f"incident {self.id} is already resolved")
        self._resolve(now, actor, reason.strip())

    def mark_notified(self, now: datetime, channel: str) -> None:
        if self.notified_at is None:
            self.notified_at = now
        self.changes.append(IncidentChange(now, "notified", "catalog", {"channel": channel}))

    def _resolve(self, now: datetime, actor: str, reason: str) -> None:
        self.status = IncidentStatus.RESOLVED
        self.resolved_at, self.resolved_by, self.resolution = now, actor, reason
        self.changes.append(IncidentChange(now, "resolved", actor, {"reason": reason}))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the history, which has its own listing)."""
        return {
            "id": self.id, "domain": self.domain, "product": self.product, "major": self.major, "rule": self.rule,
            "severity": self.severity, "status": self.status.value, "title": self.title,
            "openedAt": self.opened_at.isoformat(), "beganAt": self.began_at.isoformat(),
            "lastFailureAt": self.last_failure_at.isoformat(), "failures": self.failures,
            "consecutivePasses": self.consecutive_passes,
            "acknowledgedAt": _iso(self.acknowledged_at), "acknowledgedBy": self.acknowledged_by,
            "resolvedAt": _iso(self.resolved_at), "resolvedBy": self.resolved_by, "resolution": self.resolution,
            "notifiedAt": _iso(self.notified_at), "lastMessage": self.last_message,
            "timeToDetectSeconds": self.time_to_detect, "timeToNotifySeconds": self.time_to_notify,
            "timeToRepairSeconds": self.time_to_repair,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _outcome_detail(outcome: CheckOutcome) -> dict[str, Any]:
    detail: dict[str, Any] = {"status": outcome.status, "ranAt": outcome.ran_at.isoformat()}
    if outcome.message:
        detail["message"] = outcome.message
    if outcome.measured:
        detail["measured"] = outcome.measured
    if outcome.job:
        detail["job"] = outcome.job
    return detail
