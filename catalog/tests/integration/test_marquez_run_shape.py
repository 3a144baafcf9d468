"""A job node of the lineage graph carries Marquez's run shape: clients written for Marquez read every field."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
FACET = {"_producer": "https://example.com/tests", "_schemaURL": f"{SPEC}#/$defs/NominalTimeRunFacet"}
# Marquez's Run model (marquez.service.models.Run), field for field.
MARQUEZ_RUN_FIELDS = {
    "id", "createdAt", "updatedAt", "nominalStartTime", "nominalEndTime", "state", "startedAt", "endedAt",
    "durationMs", "args", "jobVersion", "inputDatasetVersions", "outputDatasetVersions", "context", "facets",
}


def run_event(event_type: str, run_id: str, when: str, run_facets: dict | None = None) -> dict:
    return {
        "eventType": event_type, "eventTime": when, "producer": "https://example.com/tests",
        "schemaURL": f"{SPEC}#/$defs/RunEvent", "run": {"runId": run_id, "facets": run_facets or {}},
        "job": {"namespace": "octagon.stats", "name": "derive.rankings"},
        "inputs": [{"namespace": "octagon.results", "name": "bout-results.v1"}],
        "outputs": [{"namespace": "octagon.stats", "name": "rankings.v1"}],
    }


def job_node(client: TestClient) -> dict:
    response = client.get("/api/v1/lineage", params={"nodeId": "job:octagon.stats:derive.rankings"})
    assert response.status_code == 200, response.text
    [job] = [node for node in response.json()["graph"] if node["type"] == "JOB"]
    return job["data"]


def test_a_jobs_latest_run_has_every_marquez_field_with_nominal_times_and_the_current_run(catalog):
    run_id = str(uuid.uuid4())
    nominal = {"nominalTime": {**FACET, "nominalStartTime": "2024-05-01T00:00:00+00:00",
                               "nominalEndTime": "2024-05-02T00:00:00Z"}}
    for event_type, when in (("START", "2024-05-01T12:00:00Z"), ("COMPLETE", "2024-05-01T12:00:02Z")):
        assert catalog.post("/api/v1/lineage", json=run_event(event_type, run_id, when, nominal)).status_code == 201

    job = job_node(catalog)
    run = job["latestRun"]

    assert set(run) == MARQUEZ_RUN_FIELDS
    assert job["currentRunUuid"] == run["id"] == run_id
    assert (run["state"], run["startedAt"], run["endedAt"], run["durationMs"]) == (
        "COMPLETED", "2024-05-01T12:00:00Z", "2024-05-01T12:00:02Z", 2000)
    assert (run["nominalStartTime"], run["nominalEndTime"]) == ("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z")
    assert run["facets"]["nominalTime"]["nominalEndTime"] == "2024-05-02T00:00:00Z"
    # What the catalog does not track is there, empty, as Marquez gives it when it has none.
    assert (run["jobVersion"], run["args"], run["context"]) == (None, {}, {})
    assert run["inputDatasetVersions"] == run["outputDatasetVersions"] == []


def test_a_newer_run_becomes_the_current_run_and_a_run_without_nominal_times_has_nulls(catalog):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    catalog.post("/api/v1/lineage", json=run_event("COMPLETE", first, "2024-05-01T12:00:00Z"))
    catalog.post("/api/v1/lineage", json=run_event("START", second, "2024-05-02T12:00:00Z"))

    job = job_node(catalog)

    assert job["currentRunUuid"] == second
    run = job["latestRun"]
    assert (run["id"], run["state"], run["endedAt"], run["durationMs"]) == (second, "RUNNING", None, None)
    assert run["nominalStartTime"] is None and run["nominalEndTime"] is None
