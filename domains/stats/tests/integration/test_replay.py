"""Replay against a real broker: the products rebuilt from the topics are the products built the first time."""

import random
import time
import uuid
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from mesh_platform.events.envelope import kafka_headers, to_kafka_message
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.subscriptions.replay import KafkaGroupRewinder
from mesh_tools.testing.service import bearer, trusting_test_authority
from stats.app import create_app
from stats.settings import StatsSettings

from .conftest import fighter_event, result_event

pytestmark = pytest.mark.integration


def publish(bootstrap, messages):
    producer = KafkaProducer(**kafka_client_kwargs(bootstrap), acks="all")
    try:
        for message in messages:
            encoded = to_kafka_message(message)
            producer.send(message.topic, value=encoded.value, key=message.key.encode(), headers=kafka_headers(encoded))
        producer.flush(30)
    finally:
        producer.close()


def history(fighter_ids):
    """Roster's and results' events of a small division: two fighters move, one retires, draws and no contests."""
    rng = random.Random(7)
    messages = [fighter_event(fighter_id, f"Fighter {index}", updated_at=f"2020-01-0{index + 1}T00:00:00Z")
                for index, fighter_id in enumerate(fighter_ids)]
    messages.append(fighter_event(fighter_ids[0], "Fighter 0", status="retired", verb="retired",
                                  updated_at="2023-06-01T00:00:00Z"))
    day = date(2021, 1, 1)
    for _ in range(24):
        red, blue = rng.sample(fighter_ids, 2)
        outcome, method = rng.choice([("win", "KO/TKO"), ("win", "SUB"), ("win", "DEC-S"), ("draw", "DEC-M"),
                                      ("no_contest", "NC")])
        winner = rng.choice([red, blue]) if outcome == "win" else None
        day += timedelta(days=rng.randint(20, 90))
        messages.append(result_event(red, blue, winner, day, outcome, method,
                                     weight_class=rng.choice(["lightweight", "welterweight"])))
    rng.shuffle(messages)  # arrival order across topics and partitions must not matter
    return messages


def everything(client, settings):
    """Every record of both products, read through the HTTP ports."""
    items = {}
    for product, key in (("fighter-records", "fighter_id"), ("rankings", "weight_class")):
        page = client.get(f"/data-products/{product}/v1", params={"limit": 1000}, headers=bearer(settings)).json()
        items[product] = {item[key]: item for item in page["items"]}
    return items


def wait_until(condition, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_replay_rebuilds_products_identical_to_the_first_build(kafka_bootstrap, tmp_path):
    fighter_ids = [str(uuid.uuid4()) for _ in range(6)]
    messages = history(fighter_ids)
    publish(kafka_bootstrap, messages)
    bouts = sum(1 for message in messages if message.topic == "results.bout-results.v1")
    # Earlier tests of this session may have moved group "stats": the first build starts at the beginning too.
    KafkaGroupRewinder(kafka_bootstrap).rewind(["stats"])
    settings = StatsSettings(database_url=f"sqlite:///{tmp_path / 'stats.db'}", run_dir=tmp_path,
                             kafka_bootstrap_servers=kafka_bootstrap, relay_enabled=False,
                             **trusting_test_authority())

    def built(client):
        records = everything(client, settings)["fighter-records"]
        mine = [records.get(fighter_id) for fighter_id in fighter_ids]
        if any(record is None or record["name"] is None for record in mine):
            return False
        counted = sum(r["wins"] + r["losses"] + r["draws"] + r["no_contests"] for r in mine)
        return counted == 2 * bouts and mine[0]["updated_at"] >= "2023-06-01"

    with TestClient(create_app(settings)) as client:
        assert wait_until(lambda: built(client)), "the first build never completed"
        first = everything(client, settings)
        subscription = client.app.state.domain_service.subscriptions[0]
        processed_before = subscription.processed_total

        response = client.post("/admin/replay", headers=bearer(settings, "mesh-cli", ("admin:stats",)))
        assert response.status_code == 202, response.text
        report = response.json()
        assert report["consumer_groups"] == ["stats"]
        assert report["topics"] == ["results.bout-results.v1", "roster.fighters.v1"]
        assert set(report["emptied_tables"]) == {"fighter_replica", "result_replica", "fighter_records", "rankings"}
        assert report["forgotten_events"] >= len(messages) and report["subscriptions_restarted"] is True

        assert wait_until(lambda: everything(client, settings) == first), "the rebuild never matched the first build"
        assert subscription.processed_total - processed_before >= len(messages)  # rebuilt from the topics, not kept
    retired = fighter_ids[0]
    assert first["fighter-records"][retired]["name"] == "Fighter 0"
    assert retired not in {entry["fighter_id"] for ranking in first["rankings"].values() for entry in ranking["entries"]}
