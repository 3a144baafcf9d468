"""OpenLineage ingestion and the lineage query over real stores; bad input is refused and nothing is stored."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from catalog.adapters.tables import LineageEventRow, LineageNodeRow
from catalog.app import create_app
from mesh_tools.testing.authority import test_authority

OPERATOR = test_authority().bearer("test-operator", ["write:roster", "write:schedule", "write:results", "write:stats", "admin:catalog"])

pytestmark = pytest.mark.integration

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json"


def run_event(event_type: str, run_id: str, job: str, inputs: list[tuple[str, str]], outputs: list[tuple[str, str]],
              when: str = "2024-05-01T12:00:00Z") -> dict:
    return {
        "eventType": event_type, "eventTime": when, "producer": "https://example.com/tests",
        "schemaURL": f"{SPEC}#/$defs/RunEvent", "run": {"runId": run_id},
        "job": {"namespace": "octagon.stats", "name": job},
        "inputs": [{"namespace": ns, "name": name} for ns, name in inputs],
        "outputs": [{"namespace": ns, "name": name} for ns, name in outputs],
    }


def stored(client: TestClient) -> tuple[int, int]:
    """(events, nodes) in the catalog's store."""
    engine = client.app.state.engine
    with engine.connect() as connection:
        events = connection.execute(select(func.count()).select_from(LineageEventRow)).scalar()
        nodes = connection.execute(select(func.count()).select_from(LineageNodeRow)).scalar()
    return events, nodes


def lineage(client: TestClient, node_id: str, **params) -> dict:
    response = client.get("/api/v1/lineage", params={"nodeId": node_id, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_run_links_its_inputs_and_outputs_and_reports_its_latest_state(catalog_on_store):
    run_id = str(uuid.uuid4())
    results, records = ("octagon.results", "bout-results.v1"), ("octagon.stats", "fighter-records.v1")
    for event_type, when in (("START", "2024-05-01T12:00:00Z"), ("COMPLETE", "2024-05-01T12:00:03.5Z")):
        response = catalog_on_store.post("/api/v1/lineage", json=run_event(event_type, run_id, "derive.fighter-records",
                                                                           [results], [records], when))
        assert response.status_code == 201

    graph = {node["id"]: node for node in lineage(catalog_on_store, "dataset:octagon.stats:fighter-records.v1")["graph"]}

    job = graph["job:octagon.stats:derive.fighter-records"]
    assert set(graph) == {"job:octagon.stats:derive.fighter-records", "dataset:octagon.results:bout-results.v1",
                          "dataset:octagon.stats:fighter-records.v1"}
    assert job["type"] == "JOB"
    assert job["inEdges"] == [{"origin": "dataset:octagon.results:bout-results.v1",
                               "destination": "job:octagon.stats:derive.fighter-records"}]
    assert job["data"]["inputs"] == [{"namespace": "octagon.results", "name": "bout-results.v1"}]
    assert job["data"]["outputs"] == [{"namespace": "octagon.stats", "name": "fighter-records.v1"}]
    latest = job["data"]["latestRun"]
    assert (latest["id"], latest["state"], latest["durationMs"]) == (run_id, "COMPLETED", 3500)


def test_a_failed_run_is_the_latest_state_with_its_error(catalog_on_store):
    run_id = str(uuid.uuid4())
    event = run_event("FAIL", run_id, "derive.rankings", [("octagon.results", "bout-results.v1")], [])
    event["run"]["facets"] = {"errorMessage": {"message": "no division", "programmingLanguage": "python",
                                               "_producer": "p", "_schemaURL": "s"}}
    catalog_on_store.post("/api/v1/lineage", json=event)

    [job] = [n for n in lineage(catalog_on_store, "job:octagon.stats:derive.rankings")["graph"] if n["type"] == "JOB"]

    assert job["data"]["latestRun"]["state"] == "FAILED"
    assert job["data"]["latestRun"]["facets"]["errorMessage"]["message"] == "no division"


def test_malformed_event_is_a_bad_request_and_nothing_is_stored(catalog_on_store):
    before = stored(catalog_on_store)

    bad_uuid = catalog_on_store.post("/api/v1/lineage", json=run_event("START", "run-1", "j", [("a", "b")], []))
    not_json = catalog_on_store.post("/api/v1/lineage", content=b"{not json", headers={"content-type": "application/json"})
    no_job = catalog_on_store.post("/api/v1/lineage", json={"eventTime": "2024-05-01T12:00:00Z", "run": {"runId": str(uuid.uuid4())}})

    assert [r.status_code for r in (bad_uuid, not_json, no_job)] == [400, 400, 400]
    assert "runId must be a UUID" in bad_uuid.json()["detail"]
    assert "not JSON" in not_json.json()["detail"]
    assert "job" in no_job.json()["detail"]
    assert stored(catalog_on_store) == before
    assert catalog_on_store.get("/api/v1/lineage", params={"nodeId": "dataset:a:b"}).status_code == 404


def test_unknown_and_malformed_node_ids(catalog_on_store):
    unknown = catalog_on_store.get("/api/v1/lineage", params={"nodeId": "dataset:octagon.roster:referees.v1"})
    malformed = catalog_on_store.get("/api/v1/lineage", params={"nodeId": "table:x:y"})
    missing = catalog_on_store.get("/api/v1/lineage")
    bad_depth = catalog_on_store.get("/api/v1/lineage", params={"nodeId": "dataset:a:b", "depth": "deep"})

    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")
    assert malformed.status_code == 400 and "must start with 'dataset:' or 'job:'" in malformed.json()["detail"]
    assert missing.status_code == 400 and "nodeId is required" in missing.json()["detail"]
    assert bad_depth.status_code == 400


def test_depth_beyond_the_limit_is_capped_and_the_answer_says_so(tmp_path, catalog_settings_factory):
    settings = catalog_settings_factory(tmp_path, CATALOG_LINEAGE_MAX_DEPTH=3)
    with TestClient(create_app(settings), headers=OPERATOR) as client:
        for i in range(1, 8):
            client.post("/api/v1/lineage", json=run_event("COMPLETE", str(uuid.uuid4()), f"step{i}",
                                                          [("chain", f"d{i - 1}")], [("chain", f"d{i}")]))
        capped = lineage(client, "job:octagon.stats:step1", depth=10)
        default = lineage(client, "job:octagon.stats:step1")

    assert capped["limits"] == {"requestedDepth": 10, "depth": 3, "depthCapped": True, "maxNodes": 2000,
                                "nodeCount": 9, "truncated": False}
    jobs = {n["id"] for n in capped["graph"] if n["type"] == "JOB"}
    assert jobs == {f"job:octagon.stats:step{i}" for i in range(1, 5)}
    assert default["limits"]["requestedDepth"] == 20 and default["limits"]["depthCapped"] is True


def test_node_limit_truncates_and_says_so(tmp_path, catalog_settings_factory):
    settings = catalog_settings_factory(tmp_path, CATALOG_LINEAGE_MAX_NODES=5)
    with TestClient(create_app(settings), headers=OPERATOR) as client:
        for i in range(1, 6):
            client.post("/api/v1/lineage", json=run_event("COMPLETE", str(uuid.uuid4()), f"step{i}",
                                                          [("chain", f"d{i - 1}")], [("chain", f"d{i}")]))
        answer = lineage(client, "dataset:chain:d0", depth=20)

    assert answer["limits"]["truncated"] is True
    assert len(answer["graph"]) <= 5


def test_registration_and_consumers_appear_in_lineage(catalog_on_store, contract, register):
    register(catalog_on_store, contract("roster", "fighters"))
    for kind, consumer in (("subscription", "schedule"), ("http", "results")):
        catalog_on_store.post("/api/v1/consumers", json={"kind": kind, "consumer": consumer, "domain": "roster",
                                                         "product": "fighters", "major": 1})

    graph = {n["id"]: n for n in lineage(catalog_on_store, "dataset:octagon.roster:fighters.v1", depth=1)["graph"]}

    dataset = graph["dataset:octagon.roster:fighters.v1"]
    assert dataset["data"]["description"].startswith("The promotion's roster")
    assert {"name": "date_of_birth", "type": "date", "tags": ["pii"]} == {
        k: v for k, v in next(f for f in dataset["data"]["fields"] if f["name"] == "date_of_birth").items() if k != "description"}
    assert {e["destination"] for e in dataset["outEdges"]} == {
        "job:octagon.consumers:kafka.schedule", "job:octagon.consumers:http.results"}


def test_lineage_is_kept_in_the_store_and_read_back_at_start_up(tmp_path, store_url, catalog_settings_factory):
    settings = catalog_settings_factory(tmp_path, DATABASE_URL=store_url)
    run_id = str(uuid.uuid4())
    with TestClient(create_app(settings), headers=OPERATOR) as client:
        client.post("/api/v1/lineage", json=run_event("COMPLETE", run_id, "derive.x", [("a", "in")], [("a", "out")]))
        before = lineage(client, "dataset:a:out")

    with TestClient(create_app(settings), headers=OPERATOR) as restarted:
        after = lineage(restarted, "dataset:a:out")

    assert after == before
