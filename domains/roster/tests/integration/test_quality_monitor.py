"""The roster service runs its contract's quality rules over the whole product and shows the results.

Defect injected: a fighter whose stance bypassed the domain's validation (written into the store directly, as a
faulty producer or a bad migration would). The scheduled run finds it; /quality, /metrics and the admin holds
routes show what the mesh knows.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from mesh_platform.quality.holds import HoldStore
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.service import trusting_test_authority
from roster.adapters.tables import PLATFORM_TABLES, FighterRow
from roster.app import create_app
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

WRITER = test_authority().bearer("roster-desk", ["write:roster"])
ADMIN = test_authority().bearer("roster-owner", ["admin:roster"])
ANYONE = test_authority().bearer("someone", ["read:roster.fighters.v1"])


@pytest.fixture
def client(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_QUALITY_ENABLED", "false")  # runs on demand here, not on the timer
    settings = RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False,
                              subscriptions_enabled=False, **trusting_test_authority())
    with TestClient(create_app(settings)) as client:
        yield client


def register(client, name, stance="orthodox"):
    body = {"name": name, "date_of_birth": "1994-03-02", "nationality": "BR", "weight_class": "lightweight",
            "stance": stance, "height_cm": 170, "reach_cm": 175}
    response = client.post("/fighters", json=body, headers=WRITER)
    assert response.status_code == 201
    return response.json()["fighter_id"]


def stance_result(payload):
    [result] = [r for r in payload["results"] if r["rule_id"] == "stance_allowed" and r["scope"] == "schedule"]
    return result


def test_a_scheduled_run_finds_a_record_that_bypassed_validation(client):
    register(client, "Amanda Silva")
    bad = register(client, "Rosa Lima")
    engine = client.app.state.domain_service.engine
    with engine.begin() as connection:
        connection.execute(update(FighterRow.__table__).where(FighterRow.__table__.c.fighter_id == bad)
                           .values(stance="kickboxer"))

    run = client.post("/admin/quality/runs", headers=ADMIN)
    assert run.status_code == 200
    [fighters] = run.json()["runs"]
    assert (fighters["contract_id"], fighters["records"], fighters["passed"]) == ("roster.fighters", 2, False)

    shown = client.get("/quality", headers=ANYONE)
    assert shown.status_code == 200
    result = stance_result(shown.json())
    assert (result["status"], result["measured"], result["sample_keys"]) == ("failed", 1.0, [bad])
    assert result["expectation"] == "= 0 rows"
    assert shown.json()["summary"]["failed"] == 1

    metrics = client.get("/metrics").text
    assert ('quality_rule_passed{major="1",product="roster.fighters",rule="fighters.stance:stance_allowed",'
            'scope="schedule"} 0.0') in metrics
    assert ('quality_rule_passed{major="1",product="roster.fighters",rule="fighters.fighter_id:fighter_id_unique",'
            'scope="schedule"} 1.0') in metrics


def test_quality_routes_need_a_token_and_admin_routes_the_admin_scope(client):
    assert client.get("/quality").status_code == 401
    assert client.get("/admin/quality/holds", headers=ANYONE).status_code == 403
    assert client.post("/admin/quality/runs", headers=WRITER).status_code == 403


def test_a_held_event_is_listed_and_released_with_who_and_why(client):
    register(client, "Amanda Silva")
    engine = client.app.state.domain_service.engine
    outbox = PLATFORM_TABLES.outbox
    with engine.begin() as connection:
        row = connection.execute(select(outbox)).first()
        HoldStore(engine).add(connection, row, "block", ["fighters.stance:stance_allowed"], "stance measured 1")

    listed = client.get("/admin/quality/holds?status=held", headers=ADMIN).json()["items"]
    assert [(h["event_id"], h["action"], h["reason"]) for h in listed] == [(row.event_id, "block", "stance measured 1")]
    hold_id = listed[0]["id"]
    assert client.post(f"/admin/quality/holds/{hold_id}/release", json={"reason": "x"}, headers=ADMIN).status_code == 422

    released = client.post(f"/admin/quality/holds/{hold_id}/release", json={"reason": "checked by hand"}, headers=ADMIN)
    assert released.status_code == 200
    assert (released.json()["status"], released.json()["released_by"]) == ("released", "roster-owner")
    again = client.post(f"/admin/quality/holds/{hold_id}/release", json={"reason": "checked by hand"}, headers=ADMIN)
    assert again.status_code == 404
    assert client.get("/admin/quality/holds?status=held", headers=ADMIN).json()["items"] == []


def test_the_freshness_sli_is_exported_and_waiting_events_show_their_age(client):
    register(client, "Amanda Silva")  # the relay is off here: the event waits in the outbox
    metrics = client.get("/metrics").text
    assert 'slo_freshness_target_seconds{major="1",product="roster.fighters"} 60.0' in metrics
    assert 'slo_freshness_events_total{major="1",product="roster.fighters"} 0.0' in metrics
    [age] = [float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
             if line.startswith('slo_freshness_oldest_pending_seconds{major="1",product="roster.fighters"}')]
    assert 0.0 < age < 60.0


def test_the_service_checks_by_itself_on_its_interval(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_QUALITY_INTERVAL_SECONDS", "1")
    settings = RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False,
                              subscriptions_enabled=False, **trusting_test_authority())
    with TestClient(create_app(settings)) as client:
        bad = register(client, "Rosa Lima")
        engine = client.app.state.domain_service.engine
        with engine.begin() as connection:
            connection.execute(update(FighterRow.__table__).where(FighterRow.__table__.c.fighter_id == bad)
                               .values(stance="kickboxer"))
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            results = client.get("/quality", headers=ANYONE).json()["results"]
            found = [r for r in results if r["rule_id"] == "stance_allowed" and r["scope"] == "schedule"]
            status = found[0]["status"] if found else None
            if status == "failed":
                break
            time.sleep(0.3)
        assert status == "failed"


def test_an_event_waiting_longer_than_the_freshness_target_breaches_the_slo(client):
    register(client, "Amanda Silva")
    run = client.post("/admin/quality/runs", headers=ADMIN).json()["runs"][0]
    [fresh] = [r for r in run["results"] if r["rule_key"] == "slo:freshness"]
    assert fresh["status"] == "passed"

    # The relay is off: the event has waited since its change. Five minutes ago, as if the producer had stalled.
    engine = client.app.state.domain_service.engine
    with engine.begin() as connection:
        connection.execute(update(PLATFORM_TABLES.outbox).values(occurred_at=datetime.now(UTC) - timedelta(minutes=5)))
    run = client.post("/admin/quality/runs", headers=ADMIN).json()["runs"][0]
    [late] = [r for r in run["results"] if r["rule_key"] == "slo:freshness"]
    assert (late["status"], late["unit"], late["expectation"]) == ("failed", "seconds", "<= 60 seconds")
    assert late["measured"] >= 300
