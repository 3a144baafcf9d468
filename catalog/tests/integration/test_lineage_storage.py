"""What ingestion leaves in the store: each event as it was posted, and every time as the same instant in UTC
(Marquez's shape shows it in UTC too)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Text, cast, select

from catalog.adapters.tables import LineageEventRow, LineageNodeRow, LineageRunRow
from mesh_platform.wire import as_utc

pytestmark = pytest.mark.integration

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def run_event(event_type: str, run_id: str, when: str) -> dict:
    return {
        "eventType": event_type, "eventTime": when, "producer": "https://example.com/tests", "schemaURL": SPEC,
        "run": {"runId": run_id}, "job": {"namespace": "octagon.stats", "name": "derive.records"},
        "inputs": [{"namespace": "octagon.results", "name": "results.v1"}],
        "outputs": [{"namespace": "octagon.stats", "name": "records.v1",
                     "facets": {"documentation": {"description": "Fighters' records — wins, losses"}}}],
    }


def stored_payloads(client) -> list[str]:
    with client.app.state.engine.connect() as connection:
        return list(connection.scalars(select(cast(LineageEventRow.payload, Text)).order_by(LineageEventRow.id)))


def test_a_posted_event_is_stored_exactly_as_it_was_sent(catalog_on_store):
    # Indented, keys in the sender's order, non-ASCII text unescaped: what Marquez users expect to read back.
    body = json.dumps(run_event("COMPLETE", str(uuid.uuid4()), "2024-05-01T12:00:00Z"), indent=2,
                      ensure_ascii=False).encode()

    response = catalog_on_store.post("/api/v1/lineage", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 201, response.text
    assert stored_payloads(catalog_on_store) == [body.decode()]


def test_an_event_posted_in_utf16_is_stored_as_its_json_value(catalog_on_store):
    event = run_event("COMPLETE", str(uuid.uuid4()), "2024-05-01T12:00:00Z")

    response = catalog_on_store.post("/api/v1/lineage", content=json.dumps(event).encode("utf-16"),
                                     headers={"Content-Type": "application/json"})

    assert response.status_code == 201, response.text
    assert [json.loads(text) for text in stored_payloads(catalog_on_store)] == [event]


def test_times_with_an_offset_are_stored_as_the_same_instant_in_utc(catalog_on_store):
    run_id = str(uuid.uuid4())
    for event_type, when in (("START", "2024-05-01T14:00:00+02:00"), ("COMPLETE", "2024-05-01T09:30:00-03:00")):
        response = catalog_on_store.post("/api/v1/lineage", json=run_event(event_type, run_id, when))
        assert response.status_code == 201, response.text

    with catalog_on_store.app.state.engine.connect() as connection:
        run = connection.execute(select(LineageRunRow).where(LineageRunRow.run_id == run_id)).one()
        event_times = list(connection.scalars(select(LineageEventRow.event_time).order_by(LineageEventRow.id)))
        output = connection.execute(select(LineageNodeRow.created_at, LineageNodeRow.updated_at)
                                    .where(LineageNodeRow.node_id == "dataset:octagon.stats:records.v1")).one()
    assert as_utc(run.started_at) == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert as_utc(run.ended_at) == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert run.state == "COMPLETED"
    assert [as_utc(moment) for moment in event_times] == [datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
                                                         datetime(2024, 5, 1, 12, 30, tzinfo=UTC)]
    assert (as_utc(output.created_at), as_utc(output.updated_at)) == (datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
                                                                      datetime(2024, 5, 1, 12, 30, tzinfo=UTC))
    # and Marquez's shape writes them in UTC with Z, as Marquez does
    graph = catalog_on_store.get("/api/v1/lineage", params={"nodeId": "job:octagon.stats:derive.records", "depth": 0})
    job = next(node for node in graph.json()["graph"] if node["type"] == "JOB")["data"]
    assert (job["latestRun"]["startedAt"], job["latestRun"]["endedAt"]) == ("2024-05-01T12:00:00Z",
                                                                            "2024-05-01T12:30:00Z")
    assert job["updatedAt"] == "2024-05-01T12:30:00Z"
