"""Which OpenLineage events the catalog takes, and the reasons it gives for those it refuses."""

from __future__ import annotations

import pytest

from catalog.domain.openlineage import MalformedLineageEvent, event_kind, parse_event

RUN_ID = "0176a8c2-fe01-7439-87e6-56a1a1b4029f"
SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json"


def run_event(**changes):
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2024-05-01T12:00:00Z",
        "producer": "https://example.com/producer",
        "schemaURL": f"{SPEC}#/$defs/RunEvent",
        "run": {"runId": RUN_ID, "facets": {}},
        "job": {"namespace": "octagon.stats", "name": "derive.fighter-records"},
        "inputs": [{"namespace": "octagon.results", "name": "bout-results.v1"}],
        "outputs": [{"namespace": "octagon.stats", "name": "fighter-records.v1", "facets": {"schema": {"fields": []}}}],
    }
    event.update(changes)
    return event


def test_run_event_becomes_an_observation_of_a_run_with_inputs_and_outputs():
    observation = parse_event(run_event())

    assert observation.kind == "RUN"
    assert observation.run.run_id == RUN_ID and observation.run.event_type == "COMPLETE"
    assert (observation.job.namespace, observation.job.name) == ("octagon.stats", "derive.fighter-records")
    assert [(d.namespace, d.name) for d in observation.inputs] == [("octagon.results", "bout-results.v1")]
    assert observation.outputs[0].facets == {"schema": {"fields": []}}


def test_dataset_and_job_events_are_told_apart_by_schema_url_like_marquez():
    dataset_event = {"eventTime": "2024-05-01T12:00:00+02:00", "producer": "p", "schemaURL": f"{SPEC}#/$defs/DatasetEvent",
                     "dataset": {"namespace": "octagon.roster", "name": "fighters.v1", "facets": {}}}
    job_event = {"eventTime": "2024-05-01T12:00:00Z", "producer": "p", "schemaURL": f"{SPEC}#/$defs/JobEvent",
                 "job": {"namespace": "octagon.consumers", "name": "http.results"},
                 "inputs": [{"namespace": "octagon.roster", "name": "fighters.v1"}]}

    assert parse_event(dataset_event).dataset.name == "fighters.v1"
    assert parse_event(job_event).kind == "JOB"
    assert event_kind({"job": {}, "inputs": []}) == "JOB"
    assert event_kind({"dataset": {}}) == "DATASET"
    assert event_kind({"run": {}, "job": {}}) == "RUN"


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (run_event(run={"runId": "not-a-uuid"}), "runId must be a UUID"),
        (run_event(run={}), "run.runId: Field required"),
        (run_event(eventTime="2024-05-01T12:00:00"), "time zone"),
        (run_event(eventTime="yesterday"), "eventTime"),
        (run_event(eventType="FINISHED"), "eventType"),
        (run_event(job={"name": "x"}), "job.namespace"),
        (run_event(inputs=[{"namespace": "n", "name": ""}]), "inputs.0.name"),
        (run_event(outputs=[{"namespace": "n", "name": "x", "facets": {"schema": "oops"}}]), "outputs.0.facets.schema"),
        # far into a long list (validated a chunk at a time): still its position in the whole list
        (run_event(outputs=[{"namespace": "n", "name": f"d{i}"} for i in range(120)] + [{"namespace": "n"}]),
         r"outputs\.120\.name: Field required"),
        (run_event(inputs=None), "inputs: Input should be a valid list"),
    ],
)
def test_malformed_events_are_refused_naming_the_place(event, reason):
    with pytest.raises(MalformedLineageEvent, match=reason):
        parse_event(event)


def test_an_event_must_be_a_json_object():
    with pytest.raises(MalformedLineageEvent, match="JSON object"):
        parse_event(["not", "an", "event"])
