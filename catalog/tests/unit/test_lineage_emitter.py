"""The platform's lineage emitter: openlineage-python events, sent in the background, failures never raised."""

from __future__ import annotations

import threading

import pytest
from openlineage.client.serde import Serde
from openlineage.client.transport.transport import Transport

from mesh_platform.contracts.product import DataProductContract
from mesh_platform.lineage import LineageEmitter, derivation_job, product_dataset, subscription_job


class CollectingTransport(Transport):
    kind = "collecting"

    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict] = []
        self.fail = fail
        self.gate = threading.Event()
        self.gate.set()

    def emit(self, event):
        self.gate.wait()
        if self.fail:
            raise ConnectionError("catalog down")
        self.events.append(Serde.to_dict(event))


def test_a_run_emits_start_then_complete_with_inputs_and_outputs():
    transport = CollectingTransport()
    emitter = LineageEmitter("http://catalog", transport=transport)
    results, records = product_dataset("results", "bout-results", 1), product_dataset("stats", "fighter-records", 1)

    with emitter.run(derivation_job("stats", "fighter-records"), [results], [records]) as run_id:
        pass
    assert emitter.flush(5)
    emitter.close()

    assert [e["eventType"] for e in transport.events] == ["START", "COMPLETE"]
    assert {e["run"]["runId"] for e in transport.events} == {run_id}
    assert transport.events[0]["job"] == {"namespace": "octagon.stats", "name": "derive.fighter-records", "facets": {}}
    assert transport.events[1]["inputs"][0]["name"] == "bout-results.v1"
    assert transport.events[1]["outputs"][0]["namespace"] == "octagon.stats"


def test_a_failing_run_emits_fail_with_the_error_and_reraises():
    transport = CollectingTransport()
    emitter = LineageEmitter("http://catalog", transport=transport)

    with pytest.raises(ValueError), emitter.run(subscription_job("stats"), [product_dataset("results", "bout-results", 1)]):
        raise ValueError("bout 42 has no card")
    assert emitter.flush(5)

    assert [e["eventType"] for e in transport.events] == ["START", "FAIL"]
    assert transport.events[1]["run"]["facets"]["errorMessage"]["message"] == "bout 42 has no card"


def test_emitting_never_waits_for_a_failing_catalog_never_raises_and_delivers_once_it_is_back():
    transport = CollectingTransport(fail=True)
    transport.gate.clear()  # the catalog hangs, then fails
    emitter = LineageEmitter("http://catalog", transport=transport)
    emitter.retry_wait = lambda state: 0.01

    run_id = emitter.run_started(subscription_job("schedule"), [product_dataset("roster", "fighters", 1)])
    emitter.run_completed(subscription_job("schedule"), run_id=run_id)  # returned at once, raised nothing
    transport.gate.set()
    assert not emitter.flush(0.3)  # still retrying the first event
    assert emitter.retries > 0 and emitter.sent == 0
    transport.fail = False  # the catalog is back
    assert emitter.flush(5)

    assert [e["eventType"] for e in transport.events] == ["START", "COMPLETE"]
    assert emitter.failed == 0 and emitter.sent == 2
    emitter.close()


def test_a_full_queue_drops_events_instead_of_blocking():
    transport = CollectingTransport()
    transport.gate.clear()
    emitter = LineageEmitter("http://catalog", transport=transport, max_queued=2)

    for _ in range(10):
        emitter.run_started(subscription_job("stats"))

    assert emitter.dropped >= 7
    transport.gate.set()
    emitter.close()


def test_dataset_event_of_a_contract_carries_schema_ownership_documentation_and_datasource(contract):
    transport = CollectingTransport()
    emitter = LineageEmitter("http://catalog", transport=transport)

    emitter.emit_dataset(DataProductContract.from_document(contract("roster", "fighters"), "fighters"))
    assert emitter.flush(5)

    [event] = transport.events
    dataset = event["dataset"]
    assert (dataset["namespace"], dataset["name"]) == ("octagon.roster", "fighters.v1")
    assert [f["name"] for f in dataset["facets"]["schema"]["fields"]][:3] == ["fighter_id", "name", "nickname"]
    assert {"name": "team:roster-team", "type": "TEAM"} in dataset["facets"]["ownership"]["owners"]
    assert dataset["facets"]["documentation"]["description"].startswith("The promotion's roster")
    assert dataset["facets"]["dataSource"]["uri"] == "http://127.0.0.1:8001/data-products/fighters/v1"
    assert {"key": "pii", "value": "true", "source": "CONTRACT", "field": "date_of_birth"} in dataset["facets"]["tags"]["tags"]
