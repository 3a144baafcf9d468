"""Service level objectives of a product major, with error budgets and multi-window burn rates (pure).

Each product major's SLIs arrive as *samples*: the good and total events of one measurement interval (a domain
service's scheduled check reports ``slo:<sli>`` results with ``badRows``/``totalRows``). From the samples in the
SLO window the catalog derives, as the Google SRE workbook does:

* **compliance** = good / total over the window (30 days unless configured);
* **error budget** = 1 − objective; **remaining** = 1 − (bad / total) / budget (1 = untouched, ≤ 0 = spent);
* **burn rate** over a window = (bad / total in that window) / budget (1 = spending exactly the budget over the SLO
  window);
* **alerts**, each a long and a short window that must both burn faster than a threshold: page at 14.4× (1 h and
  5 min) or 6× (6 h and 30 min), ticket at 3× (1 d and 2 h) or 1× (3 d and 6 h).

Status: ``breached`` when the budget is spent or the latest interval failed outright (an event waiting longer than
the freshness target right now); ``warning`` when an alert fires or less than a quarter of the budget remains;
``no data`` without samples; else ``ok``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

SloStatus = Literal["ok", "warning", "breached", "no data"]

HOUR = timedelta(hours=1)
BURN_WINDOWS: tuple[timedelta, ...] = (
    timedelta(minutes=5), timedelta(minutes=30), HOUR, 2 * HOUR, 6 * HOUR, 24 * HOUR, 72 * HOUR)


@dataclass(frozen=True)
class BurnAlert:
    """A multi-window burn-rate alert: fires when both windows burn faster than ``threshold``."""

    name: str
    severity: Literal["page", "ticket"]
    long: timedelta
    short: timedelta
    threshold: float


ALERTS: tuple[BurnAlert, ...] = (
    BurnAlert("fast burn (2% of the budget in 1 h)", "page", HOUR, timedelta(minutes=5), 14.4),
    BurnAlert("fast burn (5% of the budget in 6 h)", "page", 6 * HOUR, timedelta(minutes=30), 6.0),
    BurnAlert("slow burn (10% of the budget in 1 d)", "ticket", 24 * HOUR, 2 * HOUR, 3.0),
    BurnAlert("slow burn (10% of the budget in 3 d)", "ticket", 72 * HOUR, 6 * HOUR, 1.0),
)

_SECONDS = {"ms": 0.001, "s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60,
            "minutes": 60, "h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400}


@dataclass(frozen=True)
class SloTarget:
    """One objective of a product major: the SLI, the fraction of good events wanted, and what it means."""

    sli: Literal["freshness", "availability"]
    objective: float
    description: str
    threshold: str | None = None
    """For freshness: the latency target (``1 min``)."""


@dataclass(frozen=True)
class SliSample:
    """What one measurement interval counted; ``failed`` if the interval was bad outright."""

    at: datetime
    good: int
    total: int
    failed: bool = False


@dataclass(frozen=True)
class DayCompliance:
    day: date
    good: int
    total: int

    @property
    def ratio(self) -> float | None:
        return self.good / self.total if self.total else None


@dataclass(frozen=True)
class SloReport:
    """Where one objective stands now."""

    target: SloTarget
    status: SloStatus
    window_days: int
    good: int
    total: int
    compliance: float | None
    budget_remaining: float | None
    burn_rates: Mapping[str, float | None]
    firing: tuple[BurnAlert, ...]
    last_sample_at: datetime | None
    history: tuple[DayCompliance, ...] = field(default=())

    @property
    def budget_percent(self) -> float | None:
        """The remaining error budget in percent (may go below zero when overspent)."""
        return None if self.budget_remaining is None else round(self.budget_remaining * 100, 2)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the API."""
        return {
            "sli": self.target.sli,
            "objective": self.target.objective,
            "threshold": self.target.threshold,
            "description": self.target.description,
            "status": self.status,
            "windowDays": self.window_days,
            "good": self.good,
            "total": self.total,
            "compliance": self.compliance,
            "errorBudget": {"total": round(1 - self.target.objective, 6), "remaining": self.budget_remaining,
                            "remainingPercent": self.budget_percent},
            "burnRates": dict(self.burn_rates),
            "alerts": [{"name": alert.name, "severity": alert.severity, "threshold": alert.threshold,
                        "longWindow": _label(alert.long), "shortWindow": _label(alert.short)} for alert in self.firing],
            "lastSampleAt": self.last_sample_at.isoformat() if self.last_sample_at else None,
            "history": [{"day": day.day.isoformat(), "good": day.good, "total": day.total, "compliance": day.ratio}
                        for day in self.history],
        }


def slo_targets(contract: Mapping[str, Any], freshness_objective: float) -> list[SloTarget]:
    """The objectives a contract's ``slaProperties`` declare.

    ``availability`` gives its own objective (``99.5 percent``). ``freshness``/``latency`` give a latency target but no
    share of events that must meet it, so ``freshness_objective`` (the catalog's setting) is that share.
    """
    targets: list[SloTarget] = []
    for sla in contract.get("slaProperties") or []:
        if not isinstance(sla, Mapping):
            continue
        kind, value = sla.get("property"), sla.get("value")
        if kind == "availability" and isinstance(value, int | float):
            unit = str(sla.get("unit") or "percent").lower()
            objective = value / 100 if unit in ("percent", "%") else float(value)
            if 0 < objective < 1:
                targets.append(SloTarget("availability", objective, str(sla.get("description") or "")))
        elif kind in ("freshness", "latency") and isinstance(value, int | float):
            unit = str(sla.get("unit") or "").lower()
            if unit in _SECONDS and not any(t.sli == "freshness" for t in targets):
                targets.append(SloTarget("freshness", freshness_objective, str(sla.get("description") or ""),
                                         threshold=f"{value:g} {unit}"))
    return targets


def burn_rate(samples: Sequence[SliSample], objective: float, since: datetime) -> float | None:
    """How fast the samples after ``since`` spend the error budget (None without events)."""
    good = total = 0
    for sample in samples:
        if sample.at > since:
            good += sample.good
            total += sample.total
    if total == 0:
        return None
    return ((total - good) / total) / (1 - objective)


def evaluate(
    target: SloTarget, samples: Iterable[SliSample], now: datetime, *, window_days: int = 30,
    stale_after: timedelta | None = None,
) -> SloReport:
    """Where ``target`` stands at ``now`` given the interval samples (any order; those outside the window ignored)."""
    start = now - timedelta(days=window_days)
    kept = sorted((s for s in samples if start < s.at <= now), key=lambda s: s.at)
    good = sum(s.good for s in kept)
    total = sum(s.total for s in kept)
    budget = 1 - target.objective
    compliance = good / total if total else None
    remaining = None if compliance is None else 1 - ((1 - compliance) / budget)
    rates = {_label(window): burn_rate(kept, target.objective, now - window) for window in BURN_WINDOWS}
    firing = tuple(
        alert for alert in ALERTS
        if (rates[_label(alert.long)] or 0) > alert.threshold and (rates[_label(alert.short)] or 0) > alert.threshold
    )
    last = kept[-1] if kept else None
    status: SloStatus
    if last is None or (stale_after is not None and now - last.at > stale_after):
        status = "no data"
    elif (remaining is not None and remaining <= 0) or last.failed:
        status = "breached"
    elif firing or (remaining is not None and remaining < 0.25):
        status = "warning"
    else:
        status = "ok"
    return SloReport(target, status, window_days, good, total, compliance,
                     None if remaining is None else round(remaining, 6), rates, firing,
                     last.at if last else None, _daily(kept))


def _daily(samples: Sequence[SliSample]) -> tuple[DayCompliance, ...]:
    days: dict[date, tuple[int, int]] = {}
    for sample in samples:
        good, total = days.get(sample.at.date(), (0, 0))
        days[sample.at.date()] = (good + sample.good, total + sample.total)
    return tuple(DayCompliance(day, good, total) for day, (good, total) in sorted(days.items()))


def _label(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"
