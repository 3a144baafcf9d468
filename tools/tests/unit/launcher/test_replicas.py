"""``mesh up --replicas N`` runs every domain N times, on ports of their own, sharing the domain's store."""

from __future__ import annotations

from pathlib import Path

import pytest

from mesh_tools.launcher.topology import ServiceSpec, service_environment, with_replicas


def specs() -> list[ServiceSpec]:
    return [
        ServiceSpec("catalog", "catalog.app:create_app", "127.0.0.1", 8000, None),
        ServiceSpec("roster", "roster.app:create_app", "127.0.0.1", 8001, "postgresql://o@db/mesh_roster"),
        ServiceSpec("stats", "stats.app:create_app", "127.0.0.1", 8004, "postgresql://o@db/mesh_stats"),
    ]


def test_each_domain_runs_twice_on_its_own_ports_and_the_catalog_once():
    expanded = with_replicas(specs(), 2)
    assert [(spec.process_name, spec.port) for spec in expanded] == [
        ("catalog", 8000), ("roster", 8001), ("roster-2", 8101), ("stats", 8004), ("stats-2", 8104)]
    roster, roster_2 = expanded[1:3]
    assert roster_2.name == roster.name and roster_2.database_url == roster.database_url  # one domain, one store


def test_other_services_reach_a_domain_at_its_first_instance():
    expanded = with_replicas(specs(), 2)
    env = service_environment(expanded[4], expanded, Path("/run"), "k:9092", {})
    assert env["ROSTER_URL"] == "http://127.0.0.1:8001"
    assert env["PORT"] == "8104" and env["MESH_SERVICE_NAME"] == "stats"
    assert env["DATABASE_URL"] == "postgresql://o@db/mesh_stats"


def test_one_replica_is_the_plain_mesh_and_zero_is_refused():
    assert with_replicas(specs(), 1) == specs()
    with pytest.raises(ValueError, match="at least 1"):
        with_replicas(specs(), 0)
