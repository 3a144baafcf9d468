"""``GET /api/v1/mesh-map``: the catalog's own facts (registry, consumers, lineage, grants, quality) as one map."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FIGHTERS = "dataset:octagon.roster:fighters.v1"
BOUTS = "dataset:octagon.schedule:bouts.v1"
RESULTS = "dataset:octagon.results:bout-results.v1"
SCHEDULE_GROUP = "job:octagon.consumers:kafka.schedule"


def run(client, job: tuple[str, str], inputs: list[tuple[str, str, dict]], outputs: list[tuple[str, str]]) -> None:
    run_id = str(uuid.uuid4())
    for event_type in ("START", "COMPLETE"):
        response = client.post("/api/v1/lineage", json={
            "eventType": event_type, "eventTime": "2026-05-01T12:00:00Z", "producer": "tests", "schemaURL": SPEC,
            "run": {"runId": run_id}, "job": {"namespace": job[0], "name": job[1]},
            "inputs": [{"namespace": ns, "name": name, "inputFacets": facets} for ns, name, facets in inputs],
            "outputs": [{"namespace": ns, "name": name} for ns, name in outputs]})
        assert response.status_code in (200, 201), response.text


def failed_rule(rule: str) -> dict:
    return {"dataQualityAssertions": {
        "_producer": "tests", "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DataQualityAssertionsDatasetFacet.json",
        "assertions": [{"assertion": rule, "name": rule, "success": False, "params": {"status": "failed"}}]}}


def next_patch(version: str) -> str:
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


@pytest.fixture
def mapped(catalog, all_contracts, contract, register):
    for document in all_contracts:
        assert register(catalog, document).status_code == 201
    deprecated = contract("schedule", "event-cards")
    deprecated.update(version=next_patch(deprecated["version"]), status="deprecated", customProperties=[{"property": "sunsetDate", "value": "2031-06-30"}])
    assert register(catalog, deprecated).status_code == 201
    for kind, consumer, domain, product in [("subscription", "schedule", "roster", "fighters"),
                                            ("http", "demo-reader", "roster", "fighters"),
                                            ("http", "results", "schedule", "bouts")]:
        catalog.post("/api/v1/consumers", json={"kind": kind, "consumer": consumer, "domain": domain,
                                                "product": product, "major": 1})
    # schedule's consumer group reads fighters and writes bouts (what its subscription's runs report).
    run(catalog, ("octagon.consumers", "kafka.schedule"), [("octagon.roster", "fighters.v1", {})],
        [("octagon.schedule", "bouts.v1")])
    # An HTTP reader known only from lineage (no consumer report): it is on the map too.
    run(catalog, ("octagon.consumers", "http.scout"), [("octagon.stats", "rankings.v1", {})], [])
    run(catalog, ("octagon.results", "quality.bout-results.v1"),
        [("octagon.results", "bout-results.v1", failed_rule("completed_bouts_have_one_result"))], [])
    catalog.app.state.access.register_clients(
        [{"client_id": "demo-reader", "secret": "s" * 32, "owner": "tests", "scopes": ["read:roster.fighters.v1"]},
         {"client_id": "demo-analyst", "secret": "a" * 32, "owner": "tests",
          "scopes": ["read:stats.rankings.v1", "pii:roster.fighters"]}],
        production=False, actor="tests")
    answer = catalog.get("/api/v1/mesh-map")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_domain_product_major_and_consumer_is_on_the_map(mapped):
    assert [d["name"] for d in mapped["domains"]] == ["results", "roster", "schedule", "stats"]
    assert {p["id"] for p in mapped["products"]} >= {FIGHTERS, BOUTS, RESULTS, "dataset:octagon.stats:rankings.v1"}
    consumers = {c["id"]: c for c in mapped["consumers"]}
    assert consumers[SCHEDULE_GROUP] == {"id": SCHEDULE_GROUP, "kind": "kafka", "name": "schedule", "domain": "schedule"}
    assert consumers["job:octagon.consumers:http.demo-reader"]["domain"] is None
    # A domain's service client reading over HTTP belongs to that domain's lane.
    assert consumers["job:octagon.consumers:http.results"]["domain"] == "results"
    assert consumers["job:octagon.consumers:http.scout"]["kind"] == "http"
    roster = next(d for d in mapped["domains"] if d["name"] == "roster")
    assert FIGHTERS in roster["products"]


def test_edges_show_who_reads_each_major_and_what_consumer_groups_write(mapped):
    edges = {(e["origin"], e["destination"], e["kind"]) for e in mapped["edges"]}
    assert (FIGHTERS, SCHEDULE_GROUP, "reads") in edges
    assert (SCHEDULE_GROUP, BOUTS, "writes") in edges
    assert (FIGHTERS, "job:octagon.consumers:http.demo-reader", "reads") in edges
    assert (BOUTS, "job:octagon.consumers:http.results", "reads") in edges
    assert ("dataset:octagon.stats:rankings.v1", "job:octagon.consumers:http.scout", "reads") in edges


def test_grants_mark_their_products_and_edges_and_unused_grants_become_granted_edges(mapped):
    products = {p["id"]: p for p in mapped["products"]}
    assert products[FIGHTERS]["grants"] == ["demo-reader"]
    assert products[FIGHTERS]["pii_grants"] == ["demo-analyst"]
    reader_edge = next(e for e in mapped["edges"]
                       if e["origin"] == FIGHTERS and e["destination"] == "job:octagon.consumers:http.demo-reader")
    assert reader_edge["granted"] is True
    schedule_edge = next(e for e in mapped["edges"] if e["origin"] == FIGHTERS and e["destination"] == SCHEDULE_GROUP)
    assert schedule_edge["granted"] is False
    # demo-analyst holds rankings but was never seen reading it: a granted edge to the client.
    assert {"origin": "dataset:octagon.stats:rankings.v1", "destination": "client:demo-analyst", "kind": "granted",
            "granted": True} in mapped["edges"]


def test_deprecations_and_open_incidents_are_marked(mapped):
    products = {p["id"]: p for p in mapped["products"]}
    cards = products["dataset:octagon.schedule:event-cards.v1"]
    assert (cards["status"], cards["deprecated"], cards["sunset_date"]) == ("deprecated", True, "2031-06-30")
    results = products[RESULTS]
    # The failing check opened an incident: the map marks the open incident and links to it.
    assert results["health"] == "bad"
    assert [m["kind"] for m in results["markers"]] == ["incident"]
    assert "completed_bouts_have_one_result" in results["markers"][0]["title"]
    assert results["markers"][0]["link"].startswith("/incidents/")
    assert products[FIGHTERS]["health"] == "ok" and products[FIGHTERS]["markers"] == []


def test_the_map_api_is_documented_in_openapi(catalog):
    spec = catalog.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/mesh-map"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][schema]["properties"]) == {"domains", "products", "consumers", "edges"}


def test_a_resolved_incident_leaves_the_map(catalog, mapped):
    incident = next(m for p in mapped["products"] for m in p["markers"] if p["id"] == RESULTS)
    incident_id = int(incident["link"].rsplit("/", 1)[1])
    resolved = catalog.post(f"/api/v1/incidents/{incident_id}/resolve", json={"reason": "backfilled the result"})
    assert resolved.status_code == 200, resolved.text

    results = next(p for p in catalog.get("/api/v1/mesh-map").json()["products"] if p["id"] == RESULTS)
    assert (results["health"], results["markers"]) == ("ok", [])
