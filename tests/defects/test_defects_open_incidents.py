"""Defects injected into the roster's publishing path: each opens an incident in the catalog within 60 s, the
consuming team's webhook hears of it, data a rule blocks is never read from the topic, and once the checks pass
again the incident resolves itself. Detection times are printed (``pytest -s``).

Injected: schema drift (a producer that bypasses validation), records that lost their key (a required field: the
schema check refuses them before any rule), duplicate keys, an impossible value, and late data (a relay that stops
while changes go on). A spike of nulls in a nullable field and a volume outlier are whole-product defects: see
``test_volume_and_null_spikes.py``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer
from sqlalchemy import insert, select

from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.service import trusting_test_authority
from roster.adapters.tables import PLATFORM_TABLES
from roster.app import create_app
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

WRITER = test_authority().bearer("roster-desk", ["write:roster"])
READER = test_authority().bearer("reader", ["read:roster.fighters.v1"])
TOPIC = "roster.fighters.v1"
OUTBOX = PLATFORM_TABLES.outbox


@pytest.fixture
def roster(tmp_path, monkeypatch, kafka_bootstrap, contracts_dir, catalog) -> Iterator[TestClient]:
    monkeypatch.setenv("MESH_QUALITY_INTERVAL_SECONDS", "1")
    settings = RosterSettings(database_url=f"sqlite:///{tmp_path / 'roster.db'}", run_dir=tmp_path,
                              kafka_bootstrap_servers=kafka_bootstrap, contracts_dir=contracts_dir,
                              subscriptions_enabled=False, catalog_enabled=False, **trusting_test_authority())
    with TestClient(create_app(settings)) as client:
        # The service reports its quality runs to the catalog as OpenLineage, as its catalog link does under mesh up.
        client.app.state.domain_service.quality.emit = catalog.emitter("roster")
        yield client


def register(client: TestClient, name: str) -> str:
    body = {"name": name, "date_of_birth": "1994-03-02", "nationality": "BR", "weight_class": "lightweight",
            "stance": "orthodox", "height_cm": 170, "reach_cm": 175}
    response = client.post("/fighters", json=body, headers=WRITER)
    assert response.status_code == 201, response.text
    return response.json()["fighter_id"]


def published_row(client: TestClient, fighter_id: str) -> Any:
    engine = client.app.state.domain_service.engine
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            row = connection.execute(select(OUTBOX).where(OUTBOX.c.message_key == fighter_id)).first()
        if row is not None and row.published_at is not None:
            return row
        time.sleep(0.1)
    raise AssertionError(f"the registration of {fighter_id} was not published")


def inject(client: TestClient, template: Any, payloads: list[tuple[str, dict[str, Any]]]) -> float:
    """Write events straight into the outbox, as a producer that skips the domain's validation would; returns when."""
    service = client.app.state.domain_service
    with service.engine.begin() as connection:
        for key, payload in payloads:
            connection.execute(insert(OUTBOX).values(
                event_id=str(uuid.uuid4()), topic=template.topic, message_key=key, event_type=template.event_type,
                source=template.source, dataschema=template.dataschema, occurred_at=datetime.now(UTC),
                payload=payload, published_at=None, attempts=0))
    injected = time.monotonic()
    service.relay.wake()
    return injected


def keys_on_topic(bootstrap: str, wanted: set[str], seconds: float = 3.0) -> set[str]:
    consumer = KafkaConsumer(TOPIC, **kafka_client_kwargs(bootstrap), group_id=None, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=int(seconds * 1000))
    try:
        return {record.key.decode() for record in consumer if record.key and record.key.decode() in wanted}
    finally:
        consumer.close()


def changed(payload: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**payload, **changes}


SCHEMA_RULE = "schema:octagon.roster.fighter.registered.v1"
# defect → (the events a faulty producer writes, the rule that must catch them)
DEFECTS = {
    # a producer that bypasses validation sends a record of another shape
    "schema drift": (lambda good: [("drift-1", changed(good, fighter_id=str(uuid.uuid4()), height_cm="one seventy"))],
                     SCHEMA_RULE),
    # a burst of records without their key (the key is required: the schema check refuses them first)
    "records without their key": (lambda good: [(f"null-{n}", changed(good, fighter_id=None)) for n in range(5)], SCHEMA_RULE),
    # two records claiming one fighter under different keys
    "duplicate keys": (lambda good: [(k, changed(good, fighter_id="9b0f3f7e-0000-4000-8000-00000000d0d0"))
                                     for k in ("dup-a", "dup-b")], "fighters.fighter_id:fighter_id_unique"),
    # a value the contract does not allow
    "impossible value": (lambda good: [("stance-1", changed(good, fighter_id=str(uuid.uuid4()), stance="kickboxer"))],
                         "fighters.stance:stance_allowed"),
}


def wait_for(check, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return None


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_blocked_defect_opens_an_incident_notifies_and_never_reaches_a_reader(
    defect, roster, catalog, subscriber, kafka_bootstrap
):
    events_of, rule = DEFECTS[defect]
    good = published_row(roster, register(roster, f"Control {defect}"))
    bad = events_of(dict(good.payload))
    injected = inject(roster, good, bad)

    incident = wait_for(lambda: next((i for i in catalog.incidents(open=True) if i["rule"] == rule), None), 60)
    assert incident is not None, f"{defect}: no incident of {rule} within 60 s: {catalog.incidents()}"
    detected = time.monotonic() - injected
    notified = wait_for(lambda: subscriber.incident_opened(rule, injected), 60 - detected)
    assert notified is not None, f"{defect}: the subscriber heard nothing of {rule}"
    print(f"\n{defect}: incident #{incident['id']} ({rule}) {detected:.2f} s after injection, "
          f"subscriber notified after {notified - injected:.2f} s")

    holds = roster.get("/admin/quality/holds?status=held",
                       headers=test_authority().bearer("owner", ["admin:roster"])).json()["items"]
    keys = [key for key, _ in bad]
    assert holds and holds[0]["message_key"] in keys
    # The held event and everything after it on the topic stay out (a duplicate's first claim alone is no defect).
    kept_out = set(keys[keys.index(holds[0]["message_key"]):])
    assert keys_on_topic(kafka_bootstrap, set(keys)) <= set(keys) - kept_out

    # The bad batch never entered the product: the scheduled checks over it pass, and after two passes in a row
    # the incident resolves itself.
    resolved = catalog.wait_resolved(incident["id"])
    assert resolved["resolvedBy"] == "catalog"
    assert "consecutive" in resolved["resolution"] and resolved["timeToNotifySeconds"] is not None
    print(f"{defect}: resolved itself {resolved['timeToRepairSeconds']:.2f} s after it opened")


def test_late_data_opens_a_freshness_incident_that_resolves_once_the_relay_catches_up(roster, catalog, subscriber):
    service = roster.app.state.domain_service
    published_row(roster, register(roster, "Before the stall"))
    # The relay's first publish may itself have been late (it connects to the broker on start): wait until quiet.
    assert wait_for(lambda: not [i for i in catalog.incidents(open=True) if i["rule"] == "slo:freshness"], 30)
    service.relay.stop()
    stalled = time.monotonic()
    waiting = register(roster, "Stuck in the outbox")
    incident = wait_for(lambda: next((i for i in catalog.incidents(open=True) if i["rule"] == "slo:freshness"), None),
                        60)
    assert incident is not None, (
        "no freshness incident within 60 s of the relay stopping: the service measured "
        f"{[r for r in roster.get('/quality', headers=READER).json()['results'] if r['rule_key'] == 'slo:freshness']}"
        f"; the catalog shows {httpx.get(f'{catalog.url}/api/v1/data-products/roster/fighters/v1/slos').json()}")
    detected = time.monotonic() - stalled
    assert incident["timeToDetectSeconds"] >= 3  # dated from the oldest waiting event, not from the check
    notified = wait_for(lambda: subscriber.incident_opened("slo:freshness", stalled), 30)
    assert notified is not None
    slos = {o["sli"]: o for o in httpx.get(
        f"{catalog.url}/api/v1/data-products/roster/fighters/v1/slos", timeout=10).json()["objectives"]}
    assert slos["freshness"]["status"] == "breached"
    print(f"\nlate data: incident #{incident['id']} {detected:.2f} s after the relay stopped (target 3 s), "
          f"subscriber notified after {notified - stalled:.2f} s")

    service.relay.start()
    published_row(roster, waiting)
    resolved = catalog.wait_resolved(incident["id"])
    assert resolved["resolvedBy"] == "catalog"
    print(f"late data: resolved itself {resolved['timeToRepairSeconds']:.2f} s after it opened")
