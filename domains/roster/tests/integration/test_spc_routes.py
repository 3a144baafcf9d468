"""The roster service charts its contract's SPC rules, shows their history, and lets its owner mark a flagged point
normal (admin:roster only, with a reason)."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.service import trusting_test_authority
from roster.app import create_app
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

ADMIN = test_authority().bearer("roster-owner", ["admin:roster"])
WRITER = test_authority().bearer("roster-desk", ["write:roster"])
ANYONE = test_authority().bearer("someone", ["read:roster.fighters.v1"])
VOLUME = "fighters:fighters_volume_control"


@pytest.fixture
def client(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_QUALITY_ENABLED", "false")  # runs on demand here, not on the timer
    settings = RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False,
                              subscriptions_enabled=False, **trusting_test_authority())
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_run_charts_the_spc_rules_and_keeps_every_measured_value(client):
    assert client.post("/admin/quality/runs", headers=ADMIN).status_code == 200

    results = {r["rule_key"]: r for r in client.get("/quality", headers=ANYONE).json()["results"]}
    assert results[VOLUME]["metric"] == "spc:rowCount"
    assert (results[VOLUME]["status"], results[VOLUME]["measured"]) == ("passed", 0.0)
    assert "warming up" in results[VOLUME]["message"]
    history = client.get(f"/quality/history/roster.fighters/v1/{VOLUME}", headers=ANYONE).json()["items"]
    assert [(p["value"], p["verdict"]) for p in history] == [(0.0, "warmup")]
    measured = client.get("/quality/history/roster.fighters/v1/fighters.stance:stance_allowed", headers=ANYONE)
    assert [p["value"] for p in measured.json()["items"]] == [0.0]
    assert client.get(f"/quality/history/roster.fighters/v1/{VOLUME}").status_code == 401


def test_the_owner_marks_a_flagged_point_normal_with_a_reason(client):
    history = client.app.state.domain_service.quality.spc.history
    flagged = history.add("roster.fighters", 1, VOLUME, "rowCount", datetime.now(UTC), 900.0, "rows",
                          verdict="flagged", signals=("WE1",), center=100.0, sigma=2.0, score=400.0)
    in_control = history.add("roster.fighters", 1, VOLUME, "rowCount", datetime.now(UTC), 101.0, "rows",
                             verdict="in_control", center=100.0, sigma=2.0, score=0.5)

    assert client.get("/admin/quality/spc/flagged", headers=WRITER).status_code == 403
    listed = client.get("/admin/quality/spc/flagged", headers=ADMIN).json()["items"]
    assert [(p["id"], p["signals"], p["limits"]) for p in listed] == [(flagged, ["WE1"], [94.0, 106.0])]
    assert [p["id"] for p in client.get("/quality", headers=ANYONE).json()["flagged_points"]] == [flagged]
    flagged_metric = 'quality_spc_flagged_points{major="1",product="roster.fighters",rule="fighters:fighters_volume_control"}'
    assert f"{flagged_metric} 1.0" in client.get("/metrics").text

    path = f"/admin/quality/spc/points/{flagged}/normal"
    assert client.post(path, json={"reason": "a bulk import"}, headers=WRITER).status_code == 403
    assert client.post(path, json={"reason": "x"}, headers=ADMIN).status_code == 422
    assert client.post(f"/admin/quality/spc/points/{in_control}/normal", json={"reason": "a bulk import"},
                       headers=ADMIN).status_code == 404
    marked = client.post(path, json={"reason": "a bulk import of a new promotion"}, headers=ADMIN)
    assert marked.status_code == 200
    assert (marked.json()["verdict"], marked.json()["marked_by"]) == ("normal", "roster-owner")
    assert client.get("/admin/quality/spc/flagged", headers=ADMIN).json()["items"] == []
    assert flagged_metric not in client.get("/metrics").text
    again = client.post(path, json={"reason": "a bulk import of a new promotion"}, headers=ADMIN)
    assert again.status_code == 404 and "no flagged point" in again.text
