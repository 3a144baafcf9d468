"""What the catalog learns from a reported quality run (an OpenLineage event with ``dataQualityAssertions``).

Each assertion on a product dataset (namespace ``octagon.<domain>``, name ``<product>.v<major>``) is one check
outcome of one rule; assertions named ``slo:<sli>`` are SLI measurements of the interval since the service's previous
check (``params.badRows``/``params.totalRows``) and become samples of that SLO rather than incidents of their own —
the SLO's status decides those. Anything else in the event is left to lineage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.domain.incidents import CheckOutcome
from catalog.domain.slo import SliSample

SLO_PREFIX = "slo:"


@dataclass(frozen=True)
class ProductSample:
    """An SLI sample of one product major."""

    domain: str
    product: str
    major: int
    sli: str
    sample: SliSample
    began_at: datetime | None = None
    """For a failing freshness interval: when the oldest waiting event was written."""
    message: str | None = None


@dataclass(frozen=True)
class QualityFeed:
    outcomes: tuple[CheckOutcome, ...]
    samples: tuple[ProductSample, ...]

    def __bool__(self) -> bool:
        return bool(self.outcomes or self.samples)


def read_quality_run(payload: Mapping[str, Any]) -> QualityFeed:
    """The check outcomes and SLI samples a lineage event carries (both empty for ordinary lineage)."""
    outcomes: list[CheckOutcome] = []
    samples: list[ProductSample] = []
    job = payload.get("job") or {}
    job_name = f"{job.get('namespace')}/{job.get('name')}"
    event_time = _moment(payload.get("eventTime")) or datetime.now(UTC)
    for dataset in payload.get("inputs") or []:
        if not isinstance(dataset, Mapping):
            continue
        product = _product(dataset.get("namespace"), dataset.get("name"))
        facet = (dataset.get("inputFacets") or {}).get("dataQualityAssertions") or {}
        if product is None or not isinstance(facet, Mapping):
            continue
        domain, name, major = product
        for assertion in facet.get("assertions") or []:
            if isinstance(assertion, Mapping):
                found = _read(assertion, domain, name, major, event_time, job_name)
                if isinstance(found, ProductSample):
                    samples.append(found)
                elif found is not None:
                    outcomes.append(found)
    return QualityFeed(tuple(outcomes), tuple(samples))


def _read(
    assertion: Mapping[str, Any], domain: str, product: str, major: int, event_time: datetime, job: str
) -> CheckOutcome | ProductSample | None:
    params = assertion.get("params") or {}
    if not isinstance(params, Mapping):
        params = {}
    rule = str(assertion.get("name") or assertion.get("assertion") or "")
    if not rule:
        return None
    status = str(params.get("status") or ("passed" if assertion.get("success") else "failed"))
    ran_at = _moment(params.get("ranAt")) or event_time
    if rule.startswith(SLO_PREFIX):
        total, bad = _count(params.get("totalRows")), _count(params.get("badRows"))
        failed = status == "failed"
        if failed and bad == 0:
            # Nothing went out late, yet an event is waiting beyond the target (or the interval failed outright):
            # the interval itself counts as one bad observation, so a stalled producer spends budget too.
            total, bad = total + 1, 1
        measured = params.get("measured")
        waiting = measured if params.get("unit") == "seconds" and isinstance(measured, int | float) else None
        return ProductSample(domain, product, major, rule.removeprefix(SLO_PREFIX),
                             SliSample(ran_at, max(0, total - bad), total, failed),
                             began_at=freshness_began(ran_at, waiting) if failed else None,
                             message=assertion.get("description"))
    scope = params.get("scope")
    return CheckOutcome(domain, product, major, rule, status, ran_at, message=assertion.get("description"),
                        measured=assertion.get("actual"), job=job, scope=scope if isinstance(scope, str) else None)


def freshness_began(ran_at: datetime, waiting_seconds: float | None) -> datetime | None:
    """When late data began: the oldest waiting event was written ``waiting_seconds`` before the check."""
    return None if not waiting_seconds else ran_at - timedelta(seconds=waiting_seconds)


def _product(namespace: Any, name: Any) -> tuple[str, str, int] | None:
    if not isinstance(namespace, str) or not isinstance(name, str) or not namespace.startswith("octagon."):
        return None
    product, _, major = name.rpartition(".v")
    if not product or not major.isdigit():
        return None
    return namespace.removeprefix("octagon."), product, int(major)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
