"""Use cases of SLOs: keep the SLI samples services report, say where each objective stands, record status changes
and open (or let resolve) an incident while an objective is breached."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from catalog.adapters.slo_store import SqlSloStore
from catalog.domain.incidents import CheckOutcome
from catalog.domain.quality_feed import ProductSample
from catalog.domain.slo import SloReport, evaluate, slo_targets
from catalog.service.incidents import IncidentService
from catalog.service.registry import RegistryService
from mesh_platform.errors import NotFound


@dataclass(frozen=True)
class SloSettings:
    window_days: int = 30
    freshness_objective: float = 0.99
    """Share of events that must meet the freshness target (the contracts give the target, not the share)."""
    stale_after: timedelta = timedelta(minutes=10)
    """No sample for this long: the SLO shows ``no data`` (a silent service is not a healthy one)."""


class SloService:
    def __init__(
        self, engine: Engine, store: SqlSloStore, registry: RegistryService, incidents: IncidentService,
        settings: SloSettings, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.store = store
        self.registry = registry
        self.incidents = incidents
        self.settings = settings
        self.clock = clock

    def record(self, samples: Iterable[ProductSample]) -> None:
        """Keep reported samples, then re-judge each objective they touched (status changes and incidents)."""
        samples = list(samples)
        if not samples:
            return
        with self.engine.begin() as connection:
            self.store.add_samples(connection, samples)
        latest: dict[tuple[str, str, int, str], ProductSample] = {}
        for sample in sorted(samples, key=lambda s: s.sample.at):
            latest[(sample.domain, sample.product, sample.major, sample.sli)] = sample
        outcomes = []
        for (domain, product, major, sli), sample in latest.items():
            report = next((r for r in self.reports(domain, product, major) if r.target.sli == sli), None)
            if report is None or report.status == "no data":
                continue
            self._note_status(domain, product, major, report)
            # The incident follows the acute breach — the interval just measured failed (an event waits beyond the
            # target, or the port failed more than the objective allows) — so it resolves once the service is
            # healthy again; a spent budget stays visible as the SLO's status for the rest of the window.
            acute = sample.sample.failed
            outcomes.append(CheckOutcome(
                domain, product, major, f"slo:{sli}", "breached" if acute else "passed",
                sample.sample.at, message=_summary(report, sample.message), began_at=sample.began_at,
                measured=None if report.compliance is None else f"{report.compliance * 100:.3f}%",
                job="catalog/slo"))
        self.incidents.observe(outcomes)

    def reports(self, domain: str, product: str, major: int) -> list[SloReport]:
        """Where each objective of ``domain``/``product`` v``major`` stands now (none for an unknown product)."""
        try:
            contract = self.registry.version(domain, product, major).contract
        except NotFound:
            return []
        now = self.clock()
        since = now - timedelta(days=self.settings.window_days)
        with self.engine.connect() as connection:
            return [
                evaluate(target, self.store.samples(connection, domain, product, major, target.sli, since), now,
                         window_days=self.settings.window_days, stale_after=self.settings.stale_after)
                for target in slo_targets(contract, self.settings.freshness_objective)
            ]

    def history(self, domain: str, product: str, major: int) -> list[dict[str, Any]]:
        """Status changes of the product major's objectives, newest first."""
        with self.engine.connect() as connection:
            return self.store.status_history(connection, domain, product, major)

    def _note_status(self, domain: str, product: str, major: int, report: SloReport) -> None:
        with self.engine.begin() as connection:
            if self.store.last_status(connection, domain, product, major, report.target.sli) != report.status:
                self.store.add_status(connection, domain, product, major, report.target.sli, self.clock(),
                                      report.status, {"budgetRemaining": report.budget_remaining,
                                                      "compliance": report.compliance,
                                                      "alerts": [a.name for a in report.firing]})


def _summary(report: SloReport, message: str | None) -> str:
    budget = "—" if report.budget_percent is None else f"{report.budget_percent:g}%"
    text = f"{report.target.sli} SLO {report.status}: error budget remaining {budget}"
    return f"{text}; {message}" if message else text
