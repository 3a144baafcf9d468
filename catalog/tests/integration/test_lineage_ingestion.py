"""OpenLineage ingestion under load: events too large are refused naming the cap, concurrent senders lose nothing,
and a batch of events leaves the same graph and latest runs as the events one by one."""

from __future__ import annotations

import threading
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from catalog.adapters.tables import LineageEdgeRow, LineageEventRow, LineageNodeRow
from catalog.app import create_app
from catalog.domain.openlineage import MalformedLineageEvent
from catalog.service.lineage import LineageLimits
from mesh_tools.testing.authority import test_authority

OPERATOR = test_authority().bearer("test-operator", ["write:roster", "write:schedule", "write:results", "write:stats", "admin:catalog"])

pytestmark = pytest.mark.integration

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def run_event(event_type: str, run_id: str, job: str, inputs: list[str], outputs: list[str],
              when: str = "2024-05-01T12:00:00Z") -> dict:
    return {
        "eventType": event_type, "eventTime": when, "producer": "https://example.com/tests", "schemaURL": SPEC,
        "run": {"runId": run_id}, "job": {"namespace": "octagon.stats", "name": job},
        "inputs": [{"namespace": "octagon.in", "name": name} for name in inputs],
        "outputs": [{"namespace": "octagon.out", "name": name} for name in outputs],
    }


def counts(client: TestClient) -> tuple[int, int, int]:
    """(events, nodes, edges) in the catalog's store."""
    with client.app.state.engine.connect() as connection:
        return tuple(connection.execute(select(func.count()).select_from(table)).scalar()  # type: ignore[return-value]
                     for table in (LineageEventRow, LineageNodeRow, LineageEdgeRow))


def job_node(client: TestClient, job: str) -> dict:
    response = client.get("/api/v1/lineage", params={"nodeId": f"job:octagon.stats:{job}", "depth": 0})
    assert response.status_code == 200, response.text
    return next(node for node in response.json()["graph"] if node["type"] == "JOB")


def test_an_event_with_more_outputs_than_the_cap_is_refused_naming_the_cap_and_nothing_is_stored(catalog_on_store):
    cap = LineageLimits().max_outputs
    before = counts(catalog_on_store)

    response = catalog_on_store.post("/api/v1/lineage", json=run_event(
        "COMPLETE", str(uuid.uuid4()), "derive.bulk", ["source"], [f"out{i}" for i in range(cap + 1)]))

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert f"more than the {cap} outputs" in problem["detail"]
    assert problem["errors"][0]["field"] == "outputs"
    assert counts(catalog_on_store) == before
    assert catalog_on_store.get("/api/v1/lineage", params={"nodeId": "job:octagon.stats:derive.bulk"}).status_code == 404


def test_an_event_at_the_cap_is_stored_with_every_input(catalog_on_store):
    cap = LineageLimits().max_inputs

    response = catalog_on_store.post("/api/v1/lineage", json=run_event(
        "COMPLETE", str(uuid.uuid4()), "derive.wide", [f"in{i}" for i in range(cap)], ["result"]))

    assert response.status_code == 201
    job = job_node(catalog_on_store, "derive.wide")
    assert len(job["inEdges"]) == cap and len(job["data"]["inputs"]) == cap


def test_concurrent_senders_lose_no_event_and_the_store_matches_the_graph(tmp_path, store_url, catalog_settings_factory):
    settings = catalog_settings_factory(tmp_path, DATABASE_URL=store_url)
    senders, each = 6, 20
    with TestClient(create_app(settings), headers=OPERATOR) as client:
        lineage = client.app.state.lineage
        errors: list[BaseException] = []

        def send(sender: int) -> None:
            try:
                for i in range(each):  # each job reads one input of its own and one shared by every job
                    lineage.ingest(run_event("COMPLETE", str(uuid.uuid4()), f"s{sender}.step{i}",
                                             ["shared", f"s{sender}.d{i}"], [f"s{sender}.d{i + 1}"]))
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=send, args=(s,)) for s in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        events, nodes, edges = counts(client)
        live = [job_node(client, f"s{s}.step{i}") for s in range(senders) for i in (0, each - 1)]

    assert errors == []
    # Per event: a job, an input and an output of its own; one input shared by all.
    assert (events, nodes, edges) == (senders * each, senders * each * 3 + 1, senders * each * 3)
    with TestClient(create_app(settings), headers=OPERATOR) as restarted:  # what the store holds is what the graph showed
        assert [job_node(restarted, f"s{s}.step{i}") for s in range(senders) for i in (0, each - 1)] == live


def test_a_batch_leaves_the_graph_and_latest_runs_that_one_event_at_a_time_leaves(tmp_path, catalog_settings_factory):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    events = [
        run_event("START", first, "derive.x", ["a"], [], "2024-05-01T11:00:00Z"),
        run_event("COMPLETE", first, "derive.x", ["a"], ["b"], "2024-05-01T11:00:02Z"),
        run_event("START", second, "derive.x", ["a"], [], "2024-05-01T10:00:00Z"),  # older: not the latest
        run_event("COMPLETE", second, "derive.x", ["c"], ["b"], "2024-05-01T10:00:01Z"),
        run_event("START", first, "derive.x", [], [], "2024-05-01T09:00:00Z"),  # first turns out older still
    ]
    answers = []
    for batched in (False, True):
        with TestClient(create_app(catalog_settings_factory(tmp_path / str(batched))), headers=OPERATOR) as client:
            lineage = client.app.state.lineage
            if batched:
                lineage.ingest_many(events[:2])
                lineage.ingest_many(events[2:])
            else:
                for event in events:
                    lineage.ingest(event)
            answers.append((job_node(client, "derive.x"), counts(client)))

    (one_by_one, stored_one_by_one), (batched, stored_batched) = answers
    assert batched == one_by_one and stored_batched == stored_one_by_one
    latest = batched["data"]["latestRun"]
    assert (latest["id"], latest["state"], latest["startedAt"]) == (second, "COMPLETED", "2024-05-01T10:00:00Z")
    assert batched["data"]["inputs"] == [{"namespace": "octagon.in", "name": n} for n in ("a", "c")]


def test_a_batch_with_one_malformed_event_stores_none_of_it(catalog):
    before = counts(catalog)

    with pytest.raises(MalformedLineageEvent):
        catalog.app.state.lineage.ingest_many([
            run_event("COMPLETE", str(uuid.uuid4()), "derive.ok", ["a"], ["b"]),
            run_event("COMPLETE", "not-a-uuid", "derive.bad", ["a"], ["b"]),
        ])

    assert counts(catalog) == before


def test_facets_arriving_in_later_batches_are_merged_into_a_stored_dataset_and_survive_a_restart(
        tmp_path, store_url, catalog_settings_factory):
    settings = catalog_settings_factory(tmp_path, DATABASE_URL=store_url)
    schema = {"schema": {"fields": [{"name": "id", "type": "string"}, {"name": "wins", "type": "integer"}]}}
    documentation = {"documentation": {"description": "Wins per fighter, grüße"}}
    first = run_event("COMPLETE", str(uuid.uuid4()), "derive.wins", ["fighters"], ["wins"])
    second = run_event("COMPLETE", str(uuid.uuid4()), "derive.wins", ["fighters"], ["wins"])
    second["outputs"][0]["facets"] = schema
    third = run_event("COMPLETE", str(uuid.uuid4()), "derive.wins", ["fighters"], ["wins"])
    third["outputs"][0]["facets"] = documentation

    def wins(client: TestClient) -> dict:
        response = client.get("/api/v1/lineage", params={"nodeId": "dataset:octagon.out:wins", "depth": 0})
        assert response.status_code == 200, response.text
        return next(node for node in response.json()["graph"] if node["id"] == "dataset:octagon.out:wins")

    with TestClient(create_app(settings), headers=OPERATOR) as client:
        lineage = client.app.state.lineage
        lineage.ingest(first)  # stored with no facets, then changed by each later batch
        lineage.ingest_many([second])
        lineage.ingest(third)
        live = wins(client)
    with TestClient(create_app(settings), headers=OPERATOR) as restarted:
        stored = wins(restarted)

    assert [field["name"] for field in live["data"]["fields"]] == ["id", "wins"]
    assert live["data"]["description"] == "Wins per fighter, grüße"
    assert stored == live
