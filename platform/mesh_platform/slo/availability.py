"""The availability SLI of a product major: the share of its port requests the service answered without a server error.

Measured from the service's own request counter (``http_requests_total`` by route template and status, kept by the
HTTP edge for every request): requests to ``/data-products/<product>/v<major>…`` and
``/analytical/<product>/v<major>…`` are the product's; a response below 500 is *good* (a 4xx is the caller's
mistake, answered correctly), a 5xx or a request that raised is *bad*.

What this cannot see, said plainly: a service that is down answers nothing and so counts nothing. The catalog
covers that side: it expects a report from every product at each scheduled quality run and marks the SLO as having
no recent data when they stop (see the catalog's SLO view), and its service probe shows ``/ready``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from mesh_platform.contracts import ContractRegistry

REQUESTS_METRIC = "http_requests_total"
_PREFIXES = ("/data-products/", "/analytical/")


@dataclass(frozen=True)
class AvailabilityTarget:
    """A product major's availability objective (a fraction, e.g. 0.995 for ``99.5 percent``)."""

    contract_id: str
    product: str
    major: int
    objective: float


def availability_targets(contracts: ContractRegistry, domain: str) -> dict[tuple[str, int], AvailabilityTarget]:
    """The availability objective of each of ``domain``'s product majors (from ``slaProperties``: ``availability``)."""
    targets = {}
    for contract in contracts.for_domain(domain):
        for sla in contract.document.get("slaProperties") or []:
            if sla.get("property") != "availability" or not isinstance(sla.get("value"), int | float):
                continue
            unit = str(sla.get("unit") or "percent").strip().lower()
            value = float(sla["value"])
            objective = value / 100 if unit in ("percent", "%") else value
            if 0 < objective < 1:
                targets[(contract.product, contract.major)] = AvailabilityTarget(
                    contract.id, contract.product, contract.major, objective)
    return targets


def product_of_route(route: str) -> tuple[str, int] | None:
    """``(product, major)`` served by a route template such as ``/data-products/fighters/v1/{key}``, else None."""
    for prefix in _PREFIXES:
        if route.startswith(prefix):
            product, _, rest = route[len(prefix):].partition("/v")
            digits = ""
            for char in rest:
                if not char.isdigit():
                    break
                digits += char
            if product and digits:
                return product, int(digits)
    return None


class AvailabilitySLI:
    """Good and total requests per product major, read from the service's request counter when asked."""

    def __init__(self, registry: CollectorRegistry, targets: dict[tuple[str, int], AvailabilityTarget]) -> None:
        self.targets = targets
        # Only the request counter: collecting the whole registry from a collector registered in it would recurse.
        self._requests = registry.restricted_registry([REQUESTS_METRIC])
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int], tuple[int, int]] = {}

    def counts(self) -> dict[tuple[str, int], tuple[int, int]]:
        """Cumulative ``(good, total)`` requests of each product major with a target."""
        counts = dict.fromkeys(self.targets, (0, 0))
        for family in self._requests.collect():
            for sample in family.samples:
                if not sample.name.endswith("_total"):
                    continue
                served = product_of_route(sample.labels.get("route", ""))
                if served not in counts:
                    continue
                good, total = counts[served]
                value = int(sample.value)
                failed = sample.labels.get("status", "500")[:1] == "5"
                counts[served] = (good + (0 if failed else value), total + value)
        return counts

    def since_last(self, product: str, major: int) -> tuple[int, int]:
        """``(good, total)`` requests of ``product`` v``major`` since the previous call for it (an interval's SLI)."""
        good, total = self.counts().get((product, major), (0, 0))
        with self._lock:
            seen_good, seen_total = self._seen.get((product, major), (0, 0))
            self._seen[(product, major)] = (good, total)
        if total < seen_total:  # the counter was reset (it never is in-process, but be exact)
            seen_good, seen_total = 0, 0
        return good - seen_good, total - seen_total


class AvailabilityCollector:
    """``slo_availability_requests_total`` / ``slo_availability_good_requests_total{product,major}`` and the target."""

    def __init__(self, sli: AvailabilitySLI) -> None:
        self.sli = sli

    def collect(self) -> Iterator[Metric]:
        labels = ["product", "major"]
        total = CounterMetricFamily("slo_availability_requests", "Product port requests (availability SLI: total)",
                                    labels=labels)
        good = CounterMetricFamily("slo_availability_good_requests",
                                   "Product port requests answered without a server error", labels=labels)
        objective = GaugeMetricFamily("slo_availability_objective_ratio", "The contract's availability objective",
                                      labels=labels)
        for (product, major), (good_count, total_count) in sorted(self.sli.counts().items()):
            target = self.sli.targets[(product, major)]
            values = [target.contract_id, str(major)]
            total.add_metric(values, total_count)
            good.add_metric(values, good_count)
            objective.add_metric(values, target.objective)
        yield from (total, good, objective)
