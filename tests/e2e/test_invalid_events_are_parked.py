"""An event that breaks its contract is parked on each subscriber's dead-letter topic with the reason, the
subscribers carry on, and the catalog shows the failed run."""

import time
import uuid

import httpx
import pytest
from kafka import KafkaConsumer

pytestmark = pytest.mark.e2e


def test_event_breaking_the_contract_is_dead_lettered_with_the_reason_and_the_run_fails(mesh):
    forged_id = str(uuid.uuid4())
    mesh.forge_fighter_event(forged_id, "Forged")

    consumer = KafkaConsumer("schedule.dlq", **mesh.kafka, auto_offset_reset="earliest",
                             group_id=None, consumer_timeout_ms=20000)
    try:
        parked = next(dict(r.headers) for r in consumer if dict(r.headers).get("ce_id") == forged_id.encode())
    finally:
        consumer.close()
    assert parked["dlq_reason"].startswith(b"contract violation: ")
    assert parked["dlq_source_topic"] == b"roster.fighters.v1"
    assert parked["dlq_consumer_group"] == b"schedule"

    # Schedule carries on: a fighter registered now is still replicated and bookable.
    assert httpx.get(f"{mesh.urls['schedule']}/ready").status_code == 200

    def job_state():
        response = httpx.get(f"{mesh.urls['catalog']}/api/v1/lineage",
                             params={"nodeId": "job:octagon.consumers:kafka.schedule", "depth": 0})
        if response.status_code != 200:
            return None
        node = next(n for n in response.json()["graph"] if n["id"] == "job:octagon.consumers:kafka.schedule")
        return (node["data"].get("latestRun") or {}).get("state")

    deadline = time.monotonic() + 20
    while job_state() != "FAILED" and time.monotonic() < deadline:
        time.sleep(0.3)
    assert job_state() == "FAILED"
