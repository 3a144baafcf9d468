"""A fighter registered in roster reaches schedule through Kafka, as a CloudEvent, and nothing else."""

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer

pytestmark = pytest.mark.e2e


def fighter(name: str, weight_class: str = "lightweight") -> dict:
    return {"name": name, "nickname": None, "date_of_birth": "1995-05-05", "nationality": "IE",
            "weight_class": weight_class, "stance": "southpaw", "height_cm": 175, "reach_cm": 180}


def test_mesh_up_prints_how_to_get_a_token_never_a_token_and_every_service_is_ready(mesh):
    printed = "".join(mesh.output)
    assert "mesh token demo-reader" in printed
    assert not re.search(r"eyJ[\w-]+\.[\w-]+\.", printed), "a raw token was printed"
    token = subprocess.run([str(Path(sys.executable).parent / "mesh"), "token", "demo-reader"], capture_output=True,
                           text=True, timeout=60, env={**os.environ, "MESH_RUN_DIR": str(mesh.run_dir),
                                                       "CATALOG_URL": mesh.urls["catalog"]})
    assert token.returncode == 0, token.stderr
    read = httpx.get(f"{mesh.urls['roster']}/data-products/fighters/v1",
                     headers={"Authorization": f"Bearer {token.stdout.strip()}"})
    assert read.status_code == 200, read.text
    for name, url in mesh.urls.items():
        assert httpx.get(f"{url}/ready").status_code == 200, name


def test_commands_without_a_token_change_nothing(mesh):
    response = httpx.post(f"{mesh.urls['roster']}/fighters", json=fighter("Nobody"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_registered_fighter_is_published_as_a_cloudevent_on_roster_fighters_v1(mesh):
    roster = mesh.urls["roster"]
    created = mesh.post(f"{roster}/fighters", json=fighter(f"Conor {uuid.uuid4().hex[:6]}")).json()
    consumer = KafkaConsumer("roster.fighters.v1", **mesh.kafka, auto_offset_reset="earliest",
                             group_id=None, consumer_timeout_ms=15000)
    try:
        match = next(r for r in consumer if r.key == created["fighter_id"].encode())
    finally:
        consumer.close()
    headers = dict(match.headers)
    assert headers["ce_type"] == b"octagon.roster.fighter.registered.v1"
    assert headers["ce_source"] == b"/domains/roster"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["content-type"] == b"application/json"
    assert b"/api/v1/data-products/roster/fighters/v1/contract" in headers["ce_dataschema"]


def test_retirement_in_roster_reaches_schedule_through_events(mesh):
    roster, schedule = mesh.urls["roster"], mesh.urls["schedule"]
    red = mesh.post(f"{roster}/fighters", json=fighter("Red Corner")).json()["fighter_id"]
    blue = mesh.post(f"{roster}/fighters", json=fighter("Blue Corner")).json()["fighter_id"]
    card = mesh.post(f"{schedule}/cards", json={"name": "Octagon Dublin", "date": "2030-03-14",
                                                 "venue": "3Arena", "city": "Dublin", "country": "IE"}).json()
    bout = {"red_fighter_id": red, "blue_fighter_id": blue, "weight_class": "lightweight", "order_on_card": 1}
    booked = mesh.post(f"{schedule}/cards/{card['card_id']}/bouts", json=bout)
    assert booked.status_code == 201, booked.text

    # Only roster's event can tell schedule about the retirement: schedule asks roster's HTTP port solely for
    # fighters it has never heard of, and it knows this one already.
    assert mesh.post(f"{roster}/fighters/{red}/retirement").status_code == 200
    second_card = mesh.post(f"{schedule}/cards", json={"name": "Octagon Cork", "date": "2030-04-14",
                                                        "venue": "Pairc", "city": "Cork", "country": "IE"}).json()
    deadline = time.monotonic() + 20
    while True:
        answer = mesh.post(f"{schedule}/cards/{second_card['card_id']}/bouts", json=bout)
        if answer.status_code == 422 or time.monotonic() > deadline:
            break
        assert answer.status_code == 201
        mesh.post(f"{schedule}/bouts/{answer.json()['bout_id']}/cancellation")
        time.sleep(0.2)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["errors"] == [{"field": "red_fighter_id", "reason": problem["detail"]}]
    assert "retired" in problem["detail"]


def test_mesh_up_grants_reads_through_approved_requests_and_personal_data_only_to_the_analyst(mesh):
    roster = mesh.urls["roster"]
    created = mesh.post(f"{roster}/fighters", json=fighter("Pii Check")).json()
    item = f"{roster}/data-products/fighters/v1/{created['fighter_id']}"
    assert created["date_of_birth"] is None  # the operator holds write:roster, not pii:roster.fighters
    reader = httpx.get(item, headers={"Authorization": f"Bearer {mesh.tokens['demo-reader']}"})
    analyst = httpx.get(item, headers={"Authorization": f"Bearer {mesh.tokens['demo-analyst']}"})
    assert reader.status_code == analyst.status_code == 200
    assert reader.json()["date_of_birth"] is None
    assert analyst.json()["date_of_birth"] == "1995-05-05"
    audit = httpx.get(f"{mesh.urls['catalog']}/api/v1/audit", params={"limit": 1000}).json()
    approvals = {(entry["actor"], entry["target"]) for entry in audit if entry["action"] == "access.approved"}
    assert ("roster", "demo-analyst → roster/fighters v1 +pii") in approvals
    assert ("roster", "schedule → roster/fighters v1") in approvals  # schedule's declared lookup, approved by roster
