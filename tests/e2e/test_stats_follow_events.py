"""A result recorded through the APIs reaches stats through events alone, and a replay rebuilds stats exactly."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer

pytestmark = pytest.mark.e2e


def eventually(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def read_all(url, product, token):
    records, cursor = [], None
    while True:
        params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{url}/data-products/{product}/v1", params=params,
                         headers={"Authorization": f"Bearer {token}"}).json()
        records += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return records


@pytest.fixture(scope="module")
def recorded_bout(mesh):
    roster, schedule, results = mesh.urls["roster"], mesh.urls["schedule"], mesh.urls["results"]
    fighter = {"nickname": None, "date_of_birth": "1992-02-02", "nationality": "BR", "weight_class": "welterweight",
               "stance": "orthodox", "height_cm": 183, "reach_cm": 190}
    red = mesh.post(f"{roster}/fighters", json={**fighter, "name": "Rafael Red"}).json()["fighter_id"]
    blue = mesh.post(f"{roster}/fighters", json={**fighter, "name": "Bruno Blue"}).json()["fighter_id"]
    card = mesh.post(f"{schedule}/cards", json={"name": "Octagon Rio (archive)", "date": "2024-01-20",
                                                 "venue": "Farmasi Arena", "city": "Rio de Janeiro",
                                                 "country": "BR"}).json()["card_id"]
    bout = mesh.post(f"{schedule}/cards/{card}/bouts", json={"red_fighter_id": red, "blue_fighter_id": blue,
                                                              "weight_class": "welterweight", "order_on_card": 1})
    assert bout.status_code == 201, bout.text
    result = mesh.post(f"{results}/bouts/{bout.json()['bout_id']}/result", json={
        "outcome": "win", "winner_fighter_id": red, "method": "KO/TKO", "round": 2, "time": "3:12"})
    assert result.status_code == 201, result.text
    return red, blue


def test_recorded_result_changes_stats_through_events_only(mesh, recorded_bout):
    red, blue = recorded_bout
    stats, token = mesh.urls["stats"], mesh.tokens["demo-reader"]

    def record(fighter_id):
        response = httpx.get(f"{stats}/data-products/fighter-records/v1/{fighter_id}",
                             headers={"Authorization": f"Bearer {token}"})
        return response.json() if response.status_code == 200 and response.json()["wins"] + response.json()["losses"] else None

    winner = eventually(lambda: record(red))
    loser = eventually(lambda: record(blue))
    assert (winner["wins"], winner["wins_by_ko_tko"], winner["current_streak"]) == (1, 1, 1)
    assert (loser["losses"], loser["losses_by_ko_tko"], loser["current_streak"]) == (1, 1, -1)
    assert winner["name"] == "Rafael Red"
    ranking = httpx.get(f"{stats}/data-products/rankings/v1/welterweight",
                        headers={"Authorization": f"Bearer {token}"}).json()
    assert ranking["entries"][0]["fighter_id"] == red


def test_replay_rebuilds_identical_stats_products(mesh, recorded_bout):
    stats, token = mesh.urls["stats"], mesh.tokens["demo-reader"]
    before = {product: read_all(stats, product, token) for product in ("fighter-records", "rankings")}
    assert before["fighter-records"]
    environ = {**os.environ, "STATS_PORT": mesh.urls["stats"].rsplit(":", 1)[1], "MESH_RUN_DIR": str(mesh.run_dir),
               "CATALOG_URL": mesh.urls["catalog"]}
    replay = subprocess.run([str(Path(sys.executable).parent / "mesh"), "replay", "stats"], env=environ,
                            capture_output=True, text=True, timeout=120)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    rebuilt = eventually(
        lambda: all(read_all(stats, product, token) == records for product, records in before.items()), timeout=60
    )
    assert rebuilt, "stats did not rebuild the same products from the topics"


def test_every_event_the_services_published_conformed_to_its_contract(mesh, recorded_bout):
    # Subscribers validate each event against its producer's contract and dead-letter what does not conform; no
    # event a domain published may be among the parked ones (tests park their own forged events, not domains').
    consumer = KafkaConsumer("schedule.dlq", "results.dlq", "stats.dlq", **mesh.kafka,
                             auto_offset_reset="earliest", group_id=None, consumer_timeout_ms=3000)
    try:
        parked = [dict(record.headers) for record in consumer]
    finally:
        consumer.close()
    from_domains = [(h.get("ce_type"), h.get("dlq_reason")) for h in parked
                    if h.get("ce_source", b"").startswith(b"/domains/")]
    assert from_domains == []
