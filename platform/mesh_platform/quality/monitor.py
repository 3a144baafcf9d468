"""A domain service's quality monitor: the relay's batch gate, scheduled whole-product runs, results and reports.

:class:`QualityMonitor` is what :class:`~mesh_platform.runtime.domain_service.DomainService` builds: it plugs the
:class:`~mesh_platform.quality.gate.QualityGate` into the outbox relay, and a background thread runs every rule of
every product the service serves over the whole product — on the rule's ``schedule`` (a cron expression) or, for
rules without one, every ``MESH_QUALITY_INTERVAL_SECONDS`` (default 60). The records are read through the
product's own port source (the service's own store, as the HTTP port serves them) and copied into the sandbox.
Results are kept (``/quality``), exported on ``/metrics`` and reported to the catalog as OpenLineage quality runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine, Table

from mesh_platform.contracts import ContractRegistry, DataProductContract
from mesh_platform.lineage.naming import product_dataset
from mesh_platform.quality.engine import QualityEngine
from mesh_platform.quality.freshness import FreshnessSLI, freshness_targets
from mesh_platform.quality.gate import QualityGate
from mesh_platform.quality.holds import HoldStore
from mesh_platform.quality.lineage_report import quality_job, quality_run_event
from mesh_platform.quality.metric_history import MetricHistory
from mesh_platform.quality.results import QualityResults, QualityRun, RuleResult, Status
from mesh_platform.quality.rules import QualityRule, rules_of
from mesh_platform.quality.spc_charts import SpcCharts
from mesh_platform.quality.spc_rules import SpcRule
from mesh_platform.slo.availability import AvailabilityCollector, AvailabilitySLI, availability_targets

log = logging.getLogger(__name__)

PAGE = 1000


class QualitySettings(BaseSettings):
    """``MESH_QUALITY_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="MESH_QUALITY_")

    enabled: bool = True
    """Whether scheduled runs happen (the batch gate always checks)."""
    interval_seconds: float = 60.0
    """How often rules without a ``schedule`` run over the whole product."""
    timeout_seconds: float = 10.0
    """How long one rule's query may run."""


class ServedProduct(Protocol):
    """What the monitor needs of a served product port (a ``DataProductPort``): identity and a record source."""

    domain: str
    product: str
    major: int
    source: Any


class QualityMonitor:
    """Runs a service's quality rules on each published batch and on a schedule, and keeps and reports results."""

    def __init__(
        self,
        *,
        domain: str,
        contracts: ContractRegistry,
        store: Engine,
        outbox: Table,
        ports: Sequence[ServedProduct],
        emit: Callable[[object], None] | None = None,
        settings: QualitySettings | None = None,
        availability: AvailabilitySLI | None = None,
    ) -> None:
        self.domain = domain
        self.contracts = contracts
        self.ports = ports  # the service's list: ports served after construction are seen too
        self.emit = emit
        self.settings = settings or QualitySettings()
        self.engine = QualityEngine(timeout=self.settings.timeout_seconds)
        self.results = QualityResults()
        self.holds = HoldStore(store)
        self.store = store
        self.outbox = outbox
        self.freshness = FreshnessSLI(freshness_targets(contracts, domain))
        self.spc = SpcCharts(MetricHistory(store), store, outbox, self.settings.interval_seconds)
        self.availability = availability
        self.gate = QualityGate(contracts, outbox, self.holds, self.results, engine=self.engine, on_run=self._batch_ran,
                                freshness=self.freshness)
        self.scheduled_errors = 0
        self._due: dict[tuple[str, int, str], datetime] = {}
        self._rules: dict[tuple[str, str, int], tuple[QualityRule, ...]] = {}
        self._freshness_seen: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_service(cls, service: Any) -> QualityMonitor:
        """The monitor of a ``DomainService``: gates its relay, exports on its registry, reports via its catalog link."""
        from mesh_platform.quality.metrics import QualityCollector

        catalog = getattr(service, "catalog", None)
        monitor = cls(
            domain=service.domain,
            contracts=service.contracts,
            store=service.engine,
            outbox=service.tables.outbox,
            ports=service.ports,
            emit=catalog.lineage.emit if catalog is not None else None,
            availability=AvailabilitySLI(service.metrics_registry,
                                         availability_targets(service.contracts, service.domain)),
        )
        service.relay.gate = monitor.gate
        service.metrics_registry.register(QualityCollector(monitor))
        assert monitor.availability is not None
        service.metrics_registry.register(AvailabilityCollector(monitor.availability))
        return monitor

    # lifecycle -----------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Create the holds table and start the scheduled runs (after the store is migrated)."""
        self.holds.create_table()
        if self.settings.enabled:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="quality-monitor", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the scheduled runs."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # runs ----------------------------------------------------------------------------------------------------------

    def run_all(self) -> list[QualityRun]:
        """Run every rule of every served product over the whole product now."""
        return [self.run_product(port) for port in list(self.ports)]

    def run_product(self, port: ServedProduct, select: Callable[[QualityRule], bool] = lambda rule: True,
                    spc_rules: list[SpcRule] | None = None) -> QualityRun:
        """Run the selected rules of ``port``'s product over all its records, record what they measured, and chart
        ``spc_rules`` (by default the product's SPC rules that are due)."""
        contract = self.contracts.get(port.domain, port.product, port.major)
        records = read_all(port.source, contract)
        # Cross-product rules read other domains' products: the platform's cross-product job runs them.
        run = self.engine.run_contract(contract, {contract.record_name: records}, scope="schedule",
                                       select=lambda rule: not rule.cross_product and select(rule))
        slo_results = [self._freshness_result(contract), self._availability_result(contract)]
        found = tuple(result for result in slo_results if result is not None)
        if found:
            run = replace(run, results=(*run.results, *found))
        run = self.spc.extend(run, contract, records, spc_rules)
        self.results.record(run)
        self._report(run)
        return run

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = datetime.now(UTC)
            for port in list(self.ports):
                try:
                    due = self._due_rules(port, now)
                    charts = self.spc.due(self.contracts.get(port.domain, port.product, port.major), now)
                    if due or charts:
                        self.run_product(port, select=_keyed(due), spc_rules=charts)
                except Exception:  # one product's failure must not stop the others' checks
                    self.scheduled_errors += 1
                    log.exception("scheduled quality run of %s v%s failed", port.product, port.major)
            self._stop.wait(1.0)

    def _due_rules(self, port: ServedProduct, now: datetime) -> set[str]:
        contract = self.contracts.get(port.domain, port.product, port.major)
        due: set[str] = set()
        if contract.identity not in self._rules:
            self._rules[contract.identity] = rules_of(contract).rules
        for rule in self._rules[contract.identity]:
            slot = (contract.id, contract.major, rule.key)
            when = self._due.get(slot)
            if when is None or when <= now:
                if when is not None or not rule.schedule:
                    due.add(rule.key)  # rules without a schedule run at once on start, then every interval
                self._due[slot] = next_run(rule, now, self.settings.interval_seconds)
        return due

    def _freshness_result(self, contract: DataProductContract) -> RuleResult | None:
        """The freshness SLO as a result: breached (``failed``) while an event waits longer than the target,
        ``warned`` if events went out late since the last check, else ``passed``."""
        target = self.freshness.targets.get(contract.topic)
        if target is None:
            return None
        age = self.freshness.oldest_pending(self.store, self.outbox).get(contract.topic, 0.0)
        total, good = self.freshness.total[contract.topic], self.freshness.good[contract.topic]
        seen_total, seen_good = self._freshness_seen.get(contract.topic, (0, 0))
        self._freshness_seen[contract.topic] = (total, good)
        published, late = total - seen_total, (total - seen_total) - (good - seen_good)
        status: Status = "failed" if age > target.seconds else "warned" if late else "passed"
        return RuleResult(
            rule_key="slo:freshness", rule_id="freshness", object_name=contract.record_name, property_name=None,
            status=status, measured=round(age, 3), unit="seconds", expectation=f"<= {target.seconds:g} seconds",
            message=(f"oldest waiting event {age:.0f}s (target {target.seconds:g}s); {late} of {published} events "
                     "published since the last check were late"),
            ran_at=datetime.now(UTC), duration_ms=0.0, metric="freshness", dimension="timeliness", action="warn",
            bad_rows=late, total_rows=published,
        )

    def _availability_result(self, contract: DataProductContract) -> RuleResult | None:
        """The availability SLI of the interval since the last check (``badRows``/``totalRows`` = failed/all
        requests to the product's ports): ``failed`` when the interval's success ratio is below the objective."""
        if self.availability is None:
            return None
        target = self.availability.targets.get((contract.product, contract.major))
        if target is None:
            return None
        good, total = self.availability.since_last(contract.product, contract.major)
        ratio = good / total if total else 1.0
        return RuleResult(
            rule_key="slo:availability", rule_id="availability", object_name=contract.record_name,
            property_name=None, status="passed" if ratio >= target.objective else "failed",
            measured=round(ratio * 100, 3), unit="percent", expectation=f">= {target.objective * 100:g} percent",
            message=f"{total - good} of {total} requests to the product's ports failed on the server since the last check",
            ran_at=datetime.now(UTC), duration_ms=0.0, metric="availability", dimension="availability", action="warn",
            bad_rows=total - good, total_rows=total,
        )

    # reports -------------------------------------------------------------------------------------------------------

    def _batch_ran(self, run: QualityRun) -> None:
        # Batches pass all the time; the catalog hears of the ones that did not (the schedule reports every run).
        if not all(result.ok for result in run.results):
            self._report(run)

    def _report(self, run: QualityRun) -> None:
        if self.emit is None or not run.results:
            return
        domain, product = run.contract_id.split(".", 1)
        dataset = product_dataset(domain, product, run.major)
        try:
            self.emit(quality_run_event(quality_job(domain, product, run.major), [(dataset, run.results)], run,
                                        row_count=run.records if run.scope == "schedule" else None))
        except Exception:  # reporting must never break a run
            log.exception("reporting quality results of %s failed", run.contract_id)


def next_run(rule: QualityRule, now: datetime, interval: float) -> datetime:
    """When ``rule`` runs next: its cron ``schedule`` if it has a valid one, else ``interval`` seconds from now."""
    if rule.schedule:
        from croniter import croniter

        try:
            return croniter(rule.schedule, now).get_next(datetime)
        except (ValueError, KeyError) as e:
            log.warning("quality rule %s: schedule %r is not a cron expression (%s); running every %ss",
                        rule.key, rule.schedule, e, interval)
    return now + timedelta(seconds=interval)


def read_all(source: Any, contract: DataProductContract) -> list[dict[str, Any]]:
    """Every record of a product port source, page by page in key order."""
    records: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = source.page({}, after, PAGE)
        records.extend(page)
        if len(page) < PAGE:
            return records
        after = str(page[-1][contract.key_field])


def _keyed(keys: set[str]) -> Callable[[QualityRule], bool]:
    """Selects the rules whose key is in ``keys``."""
    return lambda rule: rule.key in keys
