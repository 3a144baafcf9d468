"""The availability SLI: a product major's port requests answered without a server error, good/total."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from mesh_platform.contracts import ContractRegistry
from mesh_platform.http.operations import HttpMetrics
from mesh_platform.slo.availability import (
    AvailabilityCollector,
    AvailabilitySLI,
    availability_targets,
    product_of_route,
)

REGISTRY = ContractRegistry.from_directory()


def served(metrics: HttpMetrics, route: str, status: int, times: int = 1) -> None:
    for _ in range(times):
        metrics.observe("GET", route, status, 0.01)


def test_targets_come_from_the_contracts_availability_sla():
    targets = availability_targets(REGISTRY, "roster")
    assert {key: target.objective for key, target in targets.items()} == {("fighters", 1): 0.995}


def test_routes_of_the_product_ports_are_told_apart_from_other_routes():
    assert product_of_route("/data-products/fighters/v1/{key}") == ("fighters", 1)
    assert product_of_route("/analytical/fighters/v12.parquet") == ("fighters", 12)
    assert product_of_route("/fighters/{key}/retire") is None
    assert product_of_route("/data-products/fighters") is None


def test_server_errors_are_bad_and_caller_errors_are_good():
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry, "roster")
    served(metrics, "/data-products/fighters/v1", 200, 7)
    served(metrics, "/data-products/fighters/v1/{key}", 404, 2)
    served(metrics, "/data-products/fighters/v1/{key}", 503)
    served(metrics, "/fighters", 500, 5)  # a command, not the product's port
    sli = AvailabilitySLI(registry, availability_targets(REGISTRY, "roster"))
    assert sli.counts() == {("fighters", 1): (9, 10)}


def test_each_check_sees_only_the_requests_since_the_previous_one():
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry, "roster")
    sli = AvailabilitySLI(registry, availability_targets(REGISTRY, "roster"))
    served(metrics, "/data-products/fighters/v1", 200, 3)
    assert sli.since_last("fighters", 1) == (3, 3)
    served(metrics, "/data-products/fighters/v1", 500, 2)
    assert sli.since_last("fighters", 1) == (0, 2)
    assert sli.since_last("fighters", 1) == (0, 0)


def test_exported_as_good_and_total_counters_in_the_same_registry_without_recursion():
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry, "roster")
    sli = AvailabilitySLI(registry, availability_targets(REGISTRY, "roster"))
    registry.register(AvailabilityCollector(sli))
    served(metrics, "/data-products/fighters/v1", 200, 4)
    served(metrics, "/data-products/fighters/v1", 500)
    text = generate_latest(registry).decode()
    assert 'slo_availability_requests_total{major="1",product="roster.fighters"} 5.0' in text
    assert 'slo_availability_good_requests_total{major="1",product="roster.fighters"} 4.0' in text
    assert 'slo_availability_objective_ratio{major="1",product="roster.fighters"} 0.995' in text
