"""Reverse ETL through the real broker: stats derives a fighter's record and rank from roster's and results' events,
and roster shows them back as a labelled replica; lineage shows the loop, and replaying stats (or roster) counts
nothing twice."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer

pytestmark = pytest.mark.e2e

DIVISION = "featherweight"  # a division no other end-to-end test fights in, so the ranks below are ours alone


def eventually(check, timeout=45.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def get(url, token):
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    return response.json() if response.status_code == 200 else None


@pytest.fixture(scope="module")
def bout_won(mesh):
    roster, schedule, results = mesh.urls["roster"], mesh.urls["schedule"], mesh.urls["results"]
    fighter = {"nickname": None, "date_of_birth": "1993-03-03", "nationality": "PT", "weight_class": DIVISION,
               "stance": "orthodox", "height_cm": 168, "reach_cm": 172}
    winner = mesh.post(f"{roster}/fighters", json={**fighter, "name": "Rita Reverse"}).json()["fighter_id"]
    loser = mesh.post(f"{roster}/fighters", json={**fighter, "name": "Lara Loop"}).json()["fighter_id"]
    card = mesh.post(f"{schedule}/cards", json={"name": "Octagon Lisbon (archive)", "date": "2023-09-09",
                                                 "venue": "Altice Arena", "city": "Lisbon", "country": "PT"}).json()
    bout = mesh.post(f"{schedule}/cards/{card['card_id']}/bouts", json={
        "red_fighter_id": winner, "blue_fighter_id": loser, "weight_class": DIVISION, "order_on_card": 1})
    assert bout.status_code == 201, bout.text
    result = mesh.post(f"{results}/bouts/{bout.json()['bout_id']}/result", json={
        "outcome": "win", "winner_fighter_id": winner, "method": "SUB", "round": 1, "time": "4:01"})
    assert result.status_code == 201, result.text
    return winner, loser


def replica_matches_stats(mesh, fighter_id):
    """Roster's replica of the fighter when it shows exactly stats' current record and rank (else None)."""
    token = mesh.tokens["demo-reader"]
    shown = get(f"{mesh.urls['roster']}/data-products/fighters/v1/{fighter_id}", token)
    record = get(f"{mesh.urls['stats']}/data-products/fighter-records/v1/{fighter_id}", token)
    ranking = get(f"{mesh.urls['stats']}/data-products/rankings/v1/{DIVISION}", token)
    if not (shown and shown["stats"] and record and ranking):
        return None
    entry = next((e for e in ranking["entries"] if e["fighter_id"] == fighter_id), None)
    expected = {
        "wins": record["wins"], "losses": record["losses"], "draws": record["draws"],
        "no_contests": record["no_contests"], "record_as_of": record["updated_at"],
        "rank": entry["rank"] if entry else None, "rating": entry["rating"] if entry else None,
        "ranking_as_of": ranking["updated_at"], "sources": ["stats.fighter-records.v1", "stats.rankings.v1"],
    }
    return shown["stats"] if shown["stats"] == expected else None


def test_roster_shows_each_fighters_record_and_rank_as_stats_publishes_them(mesh, bout_won):
    winner, loser = bout_won
    shown = eventually(lambda: replica_matches_stats(mesh, winner))
    assert shown, "roster never showed stats' record and rank of the winner"
    assert (shown["wins"], shown["losses"], shown["rank"]) == (1, 0, 1)
    loser_shown = eventually(lambda: replica_matches_stats(mesh, loser))
    assert loser_shown and (loser_shown["wins"], loser_shown["losses"], loser_shown["rank"]) == (0, 1, 2)


def test_lineage_shows_the_loop_from_stats_back_to_roster(mesh, bout_won):
    catalog = mesh.urls["catalog"]

    def roster_job():
        response = httpx.get(f"{catalog}/api/v1/lineage",
                             params={"nodeId": "dataset:octagon.roster:fighters.v1", "depth": 2})
        if response.status_code != 200:
            return None
        nodes = {node["id"]: node for node in response.json()["graph"]}
        job = nodes.get("job:octagon.consumers:kafka.roster")
        if job is None:
            return None
        inputs = {edge["origin"] for edge in job["inEdges"]}
        outputs = {edge["destination"] for edge in job["outEdges"]}
        loop = {"dataset:octagon.stats:fighter-records.v1", "dataset:octagon.stats:rankings.v1"} <= inputs
        return (inputs, outputs) if loop and "dataset:octagon.roster:fighters.v1" in outputs else None

    found = eventually(roster_job)
    assert found, "the catalog never showed kafka.roster reading stats' products into roster's fighters"


def test_replaying_stats_and_then_roster_replays_the_loop_without_counting_twice(mesh, bout_won):
    winner, _loser = bout_won
    before = eventually(lambda: replica_matches_stats(mesh, winner))
    assert before and before["wins"] == 1
    environ = {**os.environ, "MESH_RUN_DIR": str(mesh.run_dir), "CATALOG_URL": mesh.urls["catalog"],
               "STATS_PORT": mesh.urls["stats"].rsplit(":", 1)[1], "ROSTER_PORT": mesh.urls["roster"].rsplit(":", 1)[1]}
    for domain in ("stats", "roster"):
        replay = subprocess.run([str(Path(sys.executable).parent / "mesh"), "replay", domain], env=environ,
                                capture_output=True, text=True, timeout=120)
        assert replay.returncode == 0, replay.stdout + replay.stderr
        time.sleep(2)  # let the replayed events flow through before judging
        after = eventually(lambda: replica_matches_stats(mesh, winner), timeout=60)
        assert after, f"after replaying {domain}, roster's replica no longer matched stats"
        assert (after["wins"], after["losses"], after["rank"]) == (1, 0, 1), f"counted twice after replaying {domain}"


def test_roster_parked_no_event_stats_published(mesh, bout_won):
    assert eventually(lambda: replica_matches_stats(mesh, bout_won[0]))
    consumer = KafkaConsumer("roster.dlq", **mesh.kafka, auto_offset_reset="earliest", group_id=None,
                             consumer_timeout_ms=3000)
    try:
        parked = [(dict(record.headers).get("ce_type"), dict(record.headers).get("dlq_reason")) for record in consumer]
    finally:
        consumer.close()
    assert parked == []
