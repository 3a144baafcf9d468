"""Quality results as Prometheus metrics on the service's ``/metrics``.

* ``quality_rule_passed{product,major,rule,scope}`` — 1 if the rule's latest run passed, else 0;
* ``quality_rule_status{...,status}`` — 1 for the latest run's status (passed, failed, warned, error);
* ``quality_rule_measured_value{...,unit}`` — what the latest run measured (rows or percent);
* ``quality_rule_last_run_timestamp_seconds{...}`` — when it ran;
* ``quality_rule_runs_total{...,status}`` — runs by outcome (for alert rates);
* ``quality_held_events`` — outbox events held by a quality rule, awaiting release;
* ``quality_spc_flagged_points{product,major,rule}`` — control-chart points flagged and not marked normal;
* ``quality_gate_errors_total``, ``quality_scheduled_errors_total`` — checker failures (the batch went out unchecked);
* ``slo_freshness_events_total`` / ``slo_freshness_good_events_total{product,major}`` — the freshness SLI: events
  published, and those published within the contract's freshness target of their change;
* ``slo_freshness_target_seconds``, ``slo_freshness_last_latency_seconds``, ``slo_freshness_oldest_pending_seconds``
  — the target, the latest event's delay, and the age of the oldest event still waiting (late data shows here).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

if TYPE_CHECKING:
    from mesh_platform.quality.monitor import QualityMonitor

_LABELS = ["product", "major", "rule", "scope"]
_STATUSES = ("passed", "failed", "warned", "error")


class QualityCollector:
    """Collects a :class:`QualityMonitor`'s results at scrape time."""

    def __init__(self, monitor: QualityMonitor) -> None:
        self.monitor = monitor

    def collect(self) -> Iterator[Metric]:
        passed = GaugeMetricFamily("quality_rule_passed", "1 if the rule's latest run passed, else 0", labels=_LABELS)
        status = GaugeMetricFamily("quality_rule_status", "1 for the status of the rule's latest run",
                                   labels=[*_LABELS, "status"])
        measured = GaugeMetricFamily("quality_rule_measured_value", "What the rule's latest run measured",
                                     labels=[*_LABELS, "unit"])
        last_run = GaugeMetricFamily("quality_rule_last_run_timestamp_seconds", "When the rule last ran",
                                     labels=_LABELS)
        for contract_id, major, scope, result in self.monitor.results.latest():
            labels = [contract_id, str(major), result.rule_key, scope]
            passed.add_metric(labels, 1.0 if result.ok else 0.0)
            for name in _STATUSES:
                status.add_metric([*labels, name], 1.0 if result.status == name else 0.0)
            if result.measured is not None:
                measured.add_metric([*labels, result.unit], result.measured)
            last_run.add_metric(labels, result.ran_at.timestamp())
        runs = CounterMetricFamily("quality_rule_runs", "Rule runs by outcome", labels=[*_LABELS, "status"])
        for (contract_id, major, rule_key, scope, outcome), count in sorted(self.monitor.results.outcomes().items()):
            runs.add_metric([contract_id, str(major), rule_key, scope, outcome], count)
        yield from (passed, status, measured, last_run, runs)
        held = GaugeMetricFamily("quality_held_events", "Outbox events held by a quality rule, awaiting release")
        try:
            held.add_metric([], self.monitor.holds.count_held())
        except Exception:  # a store that is down has no figure; /ready says so
            pass
        else:
            yield held
        flagged = GaugeMetricFamily("quality_spc_flagged_points",
                                    "Control-chart points flagged and not marked normal by an owner",
                                    labels=["product", "major", "rule"])
        try:
            counts = self.monitor.spc.history.flagged_counts()
        except Exception:  # as above: no store, no figure
            pass
        else:
            for (contract_id, major, rule_key), count in sorted(counts.items()):
                flagged.add_metric([contract_id, str(major), rule_key], count)
            yield flagged
        gate_errors = CounterMetricFamily("quality_gate_errors", "Batches published unchecked because the gate failed")
        gate_errors.add_metric([], self.monitor.gate.errors_total)
        scheduled_errors = CounterMetricFamily("quality_scheduled_errors", "Scheduled product runs that failed to run")
        scheduled_errors.add_metric([], self.monitor.scheduled_errors)
        yield from (gate_errors, scheduled_errors)
        yield from self._freshness()

    def _freshness(self) -> Iterator[Metric]:
        sli = self.monitor.freshness
        labels = ["product", "major"]
        total = CounterMetricFamily("slo_freshness_events", "Events published (freshness SLI: total)", labels=labels)
        good = CounterMetricFamily("slo_freshness_good_events", "Events published within the freshness target",
                                   labels=labels)
        target = GaugeMetricFamily("slo_freshness_target_seconds", "The contract's freshness target", labels=labels)
        latency = GaugeMetricFamily("slo_freshness_last_latency_seconds", "Delay of the latest published event",
                                    labels=labels)
        pending = GaugeMetricFamily("slo_freshness_oldest_pending_seconds", "Age of the oldest unpublished event",
                                    labels=labels)
        try:
            ages = sli.oldest_pending(self.monitor.store, self.monitor.outbox)
        except Exception:  # a store that is down has no figure; /ready says so
            ages = {}
        for topic, spec in sli.targets.items():
            values = [spec.contract_id, str(spec.major)]
            total.add_metric(values, sli.total[topic])
            good.add_metric(values, sli.good[topic])
            target.add_metric(values, spec.seconds)
            if topic in sli.last_latency:
                latency.add_metric(values, sli.last_latency[topic])
            if topic in ages:
                pending.add_metric(values, ages[topic])
        yield from (total, good, target, latency, pending)
