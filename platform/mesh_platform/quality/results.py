"""Outcomes of quality rules: one :class:`RuleResult` per rule and run, kept by :class:`QualityResults`."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["passed", "failed", "warned", "error"]
Scope = Literal["batch", "schedule"]


@dataclass(frozen=True)
class RuleResult:
    """What one run of one rule measured and decided.

    ``status``: ``passed``; ``failed`` (a blocking rule's threshold was not met); ``warned`` (a non-blocking rule's
    threshold was not met); ``error`` (the rule could not run: refused query, unknown column, unrunnable rule).
    ``measured`` is in ``unit`` (a row count or a percentage); ``bad_rows``/``total_rows`` are the counts behind a
    library metric. ``offending_rows`` are the positions (in the records given) of the rows a property metric
    counted, so a batch check can name the events; ``sample_keys`` are up to five of their keys.
    """

    rule_key: str
    rule_id: str
    object_name: str
    property_name: str | None
    status: Status
    measured: float | None
    unit: str
    expectation: str
    message: str
    ran_at: datetime
    duration_ms: float
    metric: str | None = None
    """The library metric, or ``sql``."""
    dimension: str | None = None
    severity: str | None = None
    action: str | None = None
    bad_rows: int | None = None
    total_rows: int | None = None
    sample_keys: tuple[str, ...] = ()
    offending_rows: tuple[int, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        """Whether the rule passed."""
        return self.status == "passed"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the row positions, which only mean something to the run)."""
        data = asdict(self)
        data.pop("offending_rows")
        data["ran_at"] = self.ran_at.isoformat()
        data["sample_keys"] = list(self.sample_keys)
        return data


@dataclass(frozen=True)
class QualityRun:
    """Every rule result of one run over one data product (a published batch or the whole product)."""

    contract_id: str
    major: int
    scope: Scope
    ran_at: datetime
    results: tuple[RuleResult, ...]
    records: int

    @property
    def passed(self) -> bool:
        """No rule failed or errored (warnings do not count)."""
        return all(result.status in ("passed", "warned") for result in self.results)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the service shows it and the catalog stores it."""
        return {
            "contract_id": self.contract_id,
            "major": self.major,
            "scope": self.scope,
            "ran_at": self.ran_at.isoformat(),
            "records": self.records,
            "passed": self.passed,
            "results": [result.as_dict() for result in self.results],
        }


class QualityResults:
    """The results a service keeps: the latest per product, scope and rule, and a bounded history of runs.

    Counters of rule outcomes (by product, rule, scope and status) feed the Prometheus collector. Thread-safe: the
    relay thread records batch runs while the scheduler records whole-product runs.
    """

    def __init__(self, history: int = 200) -> None:
        self._lock = threading.Lock()
        self._latest: dict[tuple[str, int, str, str], RuleResult] = {}
        self._runs: deque[QualityRun] = deque(maxlen=history)
        self._outcomes: dict[tuple[str, int, str, str, str], int] = {}

    def record(self, run: QualityRun) -> None:
        """Keep ``run``'s results as the latest of their rules and count their outcomes."""
        with self._lock:
            self._runs.append(run)
            for result in run.results:
                self._latest[(run.contract_id, run.major, run.scope, result.rule_key)] = result
                outcome = (run.contract_id, run.major, result.rule_key, run.scope, result.status)
                self._outcomes[outcome] = self._outcomes.get(outcome, 0) + 1

    def latest(self, contract_id: str | None = None) -> list[tuple[str, int, str, RuleResult]]:
        """``(contract_id, major, scope, result)`` of the latest result of every rule (of one product if given)."""
        with self._lock:
            return [
                (cid, major, scope, result)
                for (cid, major, scope, _), result in sorted(self._latest.items(), key=lambda item: item[0])
                if contract_id is None or cid == contract_id
            ]

    def runs(self) -> list[QualityRun]:
        """The kept runs, oldest first."""
        with self._lock:
            return list(self._runs)

    def outcomes(self) -> dict[tuple[str, int, str, str, str], int]:
        """Counts by ``(contract_id, major, rule_key, scope, status)``."""
        with self._lock:
            return dict(self._outcomes)


def summary(results: Iterable[RuleResult]) -> dict[str, int]:
    """How many results have each status."""
    counts: dict[str, int] = {"passed": 0, "failed": 0, "warned": 0, "error": 0}
    for result in results:
        counts[result.status] += 1
    return counts
