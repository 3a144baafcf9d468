"""The registry over HTTP against real stores (SQLite and PostgreSQL): registration, versions, consumers."""

from __future__ import annotations

import pytest
import semver
import yaml

pytestmark = pytest.mark.integration


def test_every_repository_contract_registers_and_is_listed(catalog_on_store, all_contracts, register):
    for document in all_contracts:
        response = register(catalog_on_store, document)
        assert response.status_code == 201, response.json()
        assert response.json()["outcome"] == "created"
        assert response.json()["verdict"]["compliant"] is True

    listed = catalog_on_store.get("/api/v1/data-products").json()

    assert listed["total"] == len(all_contracts)
    assert {(p["domain"], p["product"]) for p in listed["items"]} == {
        (d["domain"], d["id"].split(".", 1)[1]) for d in all_contracts
    }


def test_registering_the_same_version_again_is_a_no_op(catalog_on_store, contract, register):
    first = register(catalog_on_store, contract("roster", "fighters")).json()

    again = register(catalog_on_store, contract("roster", "fighters"), service_url="http://other:9999")

    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    version = again.json()["product"]["versions"][0]
    assert version["registered_at"] == first["product"]["versions"][0]["registered_at"]
    assert version["service_url"] == "http://127.0.0.1:8001"


def test_non_compliant_contract_is_refused_with_a_problem_naming_each_reason(catalog_on_store, contract, register):
    document = contract("roster", "fighters")
    del document["team"]
    birth = next(p for p in document["schema"][0]["properties"] if p["name"] == "date_of_birth")
    birth["tags"] = []

    response = register(catalog_on_store, document)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "urn:problem-type:octagon-mesh:governance-refused"
    assert body["outcome"] == "refused" and body["product"] is None
    failed = {p["policy"] for p in body["verdict"]["policies"] if not p["passed"]}
    assert failed == {"owner-present", "personal-data-tagged"}
    assert {"field": "contract.team", "reason": body["errors"][0]["reason"]} in body["errors"]
    assert any(e["field"].endswith("properties[date_of_birth].tags") for e in body["errors"])
    assert catalog_on_store.get("/api/v1/data-products/roster/fighters").status_code == 404


def test_breaking_change_under_the_same_major_is_refused_and_the_registered_version_stays(
    catalog_on_store, contract, register
):
    register(catalog_on_store, contract("roster", "fighters"))
    broken = contract("roster", "fighters")
    broken["version"] = "1.1.0"
    height = next(p for p in broken["schema"][0]["properties"] if p["name"] == "height_cm")
    height["logicalType"] = "number"

    response = register(catalog_on_store, broken)

    assert response.status_code == 422
    reasons = next(p for p in response.json()["verdict"]["policies"] if p["policy"] == "semantic-version-respected")
    assert any("height_cm" in reason and "2.0.0" in reason for reason in reasons["reasons"])
    current = catalog_on_store.get("/api/v1/data-products/roster/fighters").json()
    assert current["versions"][0]["version"] == contract("roster", "fighters")["version"]
    refused = catalog_on_store.get("/api/v1/governance/registrations", params={"outcome": "refused"}).json()
    assert [(r["product"], r["version"]) for r in refused] == [("fighters", "1.1.0")]


def test_two_majors_live_at_once_with_lifecycle_sunset_and_consumers_per_version(
    catalog_on_store, contract, register, next_major
):
    v1 = contract("roster", "fighters")
    assert register(catalog_on_store, v1).status_code == 201
    assert register(catalog_on_store, next_major(v1, 2)).status_code == 201
    deprecated = contract("roster", "fighters")
    patched = str(semver.Version.parse(deprecated["version"]).bump_patch())  # the next patch of the file's version
    deprecated.update(version=patched, status="deprecated",
                      customProperties=[{"property": "sunsetDate", "value": "2031-06-30"}])
    updated = register(catalog_on_store, deprecated)
    assert updated.status_code == 201 and updated.json()["outcome"] == "updated", updated.json()
    for kind, consumer, major in [("subscription", "schedule", 1), ("http", "results", 1), ("subscription", "stats", 2)]:
        body = {"kind": kind, "consumer": consumer, "domain": "roster", "product": "fighters", "major": major}
        assert catalog_on_store.post("/api/v1/consumers", json=body).status_code == 201

    product = catalog_on_store.get("/api/v1/data-products/roster/fighters").json()

    versions = {v["major"]: v for v in product["versions"]}
    assert [v["major"] for v in product["versions"]] == [2, 1]
    assert product["latest_major"] == 2
    assert (versions[1]["version"], versions[1]["status"], versions[1]["sunset_date"]) == (patched, "deprecated", "2031-06-30")
    assert (versions[2]["status"], versions[2]["topic"]) == ("active", "roster.fighters.v2")
    assert {(c["kind"], c["consumer"]) for c in versions[1]["consumers"]} == {("subscription", "schedule"), ("http", "results")}
    assert [c["consumer"] for c in versions[2]["consumers"]] == ["stats"]
    assert versions[2]["contract_url"].endswith("/api/v1/data-products/roster/fighters/v2/contract")
    deprecated_only = catalog_on_store.get("/api/v1/data-products", params={"status": "deprecated"}).json()
    assert [p["product"] for p in deprecated_only["items"]] == ["fighters"]


def test_contract_of_each_major_is_served_as_json_and_yaml(catalog_on_store, contract, register):
    document = contract("schedule", "bouts")
    register(catalog_on_store, document)

    as_json = catalog_on_store.get("/api/v1/data-products/schedule/bouts/v1/contract")
    as_yaml = catalog_on_store.get("/api/v1/data-products/schedule/bouts/v1/contract", params={"format": "yaml"})

    assert as_json.status_code == 200 and as_json.json() == document
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(as_yaml.text) == document
    missing = catalog_on_store.get("/api/v1/data-products/schedule/bouts/v7/contract")
    assert missing.status_code == 404 and "major version 7" in missing.json()["detail"]


def test_domains_summarise_products_and_versions(catalog_on_store, all_contracts, register):
    for document in all_contracts:
        register(catalog_on_store, document)

    domains = {d["domain"]: d for d in catalog_on_store.get("/api/v1/domains").json()}
    schedule = catalog_on_store.get("/api/v1/domains/schedule").json()

    assert domains["schedule"]["products"] == 2 and domains["schedule"]["versions_by_status"] == {"active": 2}
    assert {p["product"] for p in schedule["data_products"]} == {"bouts", "event-cards"}
    assert catalog_on_store.get("/api/v1/domains/referees").status_code == 404


def test_consumer_reports_are_idempotent_and_validated(catalog_on_store):
    body = {"kind": "subscription", "consumer": "stats", "domain": "results", "product": "bout-results", "major": 1}

    first = catalog_on_store.post("/api/v1/consumers", json=body)
    second = catalog_on_store.post("/api/v1/consumers", json=body)
    invalid = catalog_on_store.post("/api/v1/consumers", json={**body, "kind": "fax", "major": 0})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["first_seen"] == first.json()["first_seen"]
    assert catalog_on_store.get("/api/v1/consumers", params={"product": "bout-results"}).json() == [second.json()]
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"kind", "major"}


def test_unknown_product_is_a_not_found_problem(catalog_on_store):
    response = catalog_on_store.get("/api/v1/data-products/roster/referees")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [{"field": "product", "reason": "no data product roster/referees is registered"}]


def test_operational_endpoints_answer(catalog_on_store, contract, register):
    register(catalog_on_store, contract("roster", "fighters"))
    assert catalog_on_store.get("/health").json() == {"status": "ok"}
    ready = catalog_on_store.get("/ready")
    assert ready.status_code == 200 and set(ready.json()["checks"]) == {"store"}
    catalog_on_store.get("/api/v1/domains")
    metrics = catalog_on_store.get("/metrics").text
    assert 'route="/api/v1/domains"' in metrics
    assert 'catalog_product_versions{domain="roster",status="active"} 1.0' in metrics
    assert "catalog_lineage_nodes 1.0" in metrics
    paths = catalog_on_store.get("/openapi.json").json()["paths"]
    assert {"/api/v1/data-products", "/api/v1/lineage", "/api/v1/search", "/api/v1/consumers"} <= set(paths)
