"""A service's control charts: each scheduled quality run measures, records and judges the contracts' SPC rules.

:class:`SpcCharts` is what the :class:`~mesh_platform.quality.monitor.QualityMonitor` calls after every whole-product
run: it writes every value the run measured to the metric history (row counts, null and invalid shares, sql
measures, freshness...), and for each due ``octagon-spc`` rule (see :mod:`~mesh_platform.quality.spc_rules`) it
measures the rule's value, charts it against the series' trailing baseline (:func:`~mesh_platform.quality.spc.assess`)
and adds a :class:`~mesh_platform.quality.results.RuleResult` to the run: ``failed`` when the point is flagged — a
failing check of that rule, which reaches ``/quality``, ``/metrics`` and the catalog like any other — ``passed``
when it is in control, during warm-up, or once an owner marked it normal.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select

from mesh_platform.contracts import DataProductContract
from mesh_platform.quality.metric_history import MetricHistory, MetricPoint
from mesh_platform.quality.results import QualityRun, RuleResult, Status
from mesh_platform.quality.spc import Judgement, Point, assess
from mesh_platform.quality.spc_rules import SpcRule, spc_rules_of_document

log = logging.getLogger(__name__)


class SpcCharts:
    """Records a service's measurements and runs its contracts' control-chart rules on their schedule."""

    def __init__(self, history: MetricHistory, store: Engine, outbox: Table, interval_seconds: float = 60.0) -> None:
        self.history = history
        self.store = store
        self.outbox = outbox
        self.interval_seconds = interval_seconds
        self._due: dict[tuple[str, int, str], datetime] = {}
        self._rules: dict[tuple[str, int], list[SpcRule]] = {}

    def rules(self, contract: DataProductContract) -> list[SpcRule]:
        """The contract's SPC rules (rules that cannot run are lint findings and are not charted)."""
        slot = (contract.id, contract.major)
        if slot not in self._rules:
            self._rules[slot] = spc_rules_of_document(contract.document)[0]
        return self._rules[slot]

    def due(self, contract: DataProductContract, now: datetime | None = None) -> list[SpcRule]:
        """The contract's SPC rules whose time has come (each on its cron ``schedule``, else every interval)."""
        from mesh_platform.quality.monitor import next_run  # the monitor imports this module

        now = now or datetime.now(UTC)
        due = []
        for rule in self.rules(contract):
            slot = (contract.id, contract.major, rule.key)
            when = self._due.get(slot)
            if when is None or when <= now:
                due.append(rule)
                self._due[slot] = next_run(rule, now, self.interval_seconds)  # type: ignore[arg-type]
        return due

    def extend(self, run: QualityRun, contract: DataProductContract, records: Sequence[Mapping[str, Any]],
               rules: Iterable[SpcRule] | None = None) -> QualityRun:
        """Record what ``run`` measured, chart the due SPC rules (or ``rules``), and return the run with their
        results added."""
        now = run.ran_at
        for result in run.results:
            if result.measured is not None:
                self.history.add(contract.id, contract.major, result.rule_key, result.metric or result.rule_id, now,
                                 result.measured, result.unit)
        charted = [self.chart(rule, contract, records, now)
                   for rule in (self.due(contract, now) if rules is None else rules)]
        return replace(run, results=(*run.results, *charted)) if charted else run

    def chart(self, rule: SpcRule, contract: DataProductContract, records: Sequence[Mapping[str, Any]],
              now: datetime) -> RuleResult:
        """Measure ``rule``'s value now, judge it against its history, record it, and say what the chart found."""
        value = self.measure(rule, contract, records, now)
        # Enough history for the baseline (a week of it per weekday with seasonality), judged as it was then.
        window = (4 * rule.settings.baseline + 8) * (7 if rule.settings.seasonality == "dayOfWeek" else 1)
        past = [p for p in self.history.series(contract.id, contract.major, rule.key, limit=window)
                if p.value is not None]
        series = [Point(p.measured_at, p.value, p.verdict == "normal") for p in past if p.value is not None]
        judged = [_judgement(p) for p in past]
        judgement = assess([*series, Point(now, value)], rule.settings, judged)[-1]
        point_id = self.history.add(
            contract.id, contract.major, rule.key, rule.measure, now, value, rule.unit, verdict=judgement.verdict,
            signals=judgement.signals, center=judgement.center, sigma=judgement.sigma, score=judgement.score,
        )
        return _result(rule, value, judgement, point_id, now)

    def measure(self, rule: SpcRule, contract: DataProductContract, records: Sequence[Mapping[str, Any]],
                now: datetime) -> float:
        """The value ``rule`` charts, measured now (see :mod:`~mesh_platform.quality.spc_rules`)."""
        if rule.measure == "rowCount":
            return float(len(records))
        if rule.measure == "nullRate":
            nulls = sum(1 for record in records if record.get(rule.property_name or "") is None)
            return 100.0 * nulls / len(records) if records else 0.0
        if rule.measure == "eventsPerHour":
            query = select(func.count()).select_from(self.outbox).where(
                self.outbox.c.topic == contract.topic, self.outbox.c.occurred_at >= now - timedelta(hours=1),
                self.outbox.c.occurred_at < now,
            )
            with self.store.connect() as connection:
                return float(connection.execute(query).scalar_one())
        if rule.property_name:  # freshness of a timestamp property: how old its newest value is
            newest = max((_instant(record.get(rule.property_name)) for record in records), default=None,
                         key=lambda at: at or datetime.min.replace(tzinfo=UTC))
            return max(0.0, (now - newest).total_seconds()) if newest else 0.0
        query = select(func.min(self.outbox.c.occurred_at)).where(
            self.outbox.c.topic == contract.topic, self.outbox.c.published_at.is_(None)
        )
        with self.store.connect() as connection:
            oldest = cast("datetime | None", connection.execute(query).scalar())  # min() of a DateTime column
        if oldest is None:
            return 0.0
        return max(0.0, (now - (oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC))).total_seconds())


def _judgement(point: MetricPoint) -> Judgement:
    verdict = point.verdict if point.verdict in ("warmup", "in_control", "flagged", "normal") else "warmup"
    return Judgement(verdict, tuple(point.signals), point.center, point.sigma, point.score)  # type: ignore[arg-type]


def _result(rule: SpcRule, value: float, judgement: Judgement, point_id: int, now: datetime) -> RuleResult:
    limits = judgement.limits()
    expectation = (f"within {limits[0]:.4g}..{limits[1]:.4g} {rule.unit} and no run or trend"
                   if limits else f"in control once {rule.settings.warmup} points are known")
    if judgement.verdict == "warmup":
        message = f"{rule.measure} {value:g} {rule.unit}: warming up (fewer than {rule.settings.warmup} baseline points)"
    elif judgement.signals:
        message = (f"{rule.measure} {value:g} {rule.unit} is out of control ({', '.join(judgement.signals)}; "
                   f"centre {judgement.center:.4g}, sigma {judgement.sigma:.4g}); point {point_id}"
                   + (" marked normal" if judgement.verdict == "normal" else ""))
    else:
        message = f"{rule.measure} {value:g} {rule.unit} is in control (centre {judgement.center:.4g})"
    status: Status = "failed" if judgement.verdict == "flagged" else "passed"
    return RuleResult(
        rule_key=rule.key, rule_id=rule.rule_id, object_name=rule.object_name, property_name=rule.property_name,
        status=status, measured=value, unit=rule.unit, expectation=expectation, message=message, ran_at=now,
        duration_ms=0.0, metric=f"spc:{rule.measure}", dimension=rule.dimension, severity=rule.severity,
        action="warn",
    )


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def point_summary(point: MetricPoint) -> dict[str, Any]:
    """A history point as ``/quality`` shows it (limits included when it was judged)."""
    data = point.as_dict()
    if point.center is not None and point.sigma is not None and math.isfinite(point.sigma):
        data["limits"] = [point.center - 3 * point.sigma, point.center + 3 * point.sigma]
    return data
