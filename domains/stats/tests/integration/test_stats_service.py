import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mesh_tools.testing.events import deliver
from mesh_tools.testing.service import bearer, trusting_test_authority
from stats.adapters.tables import PLATFORM_TABLES
from stats.app import create_app
from stats.settings import StatsSettings

from .conftest import fighter_event, result_event

pytestmark = pytest.mark.integration

RECORDS = "/data-products/fighter-records/v1"
RANKINGS = "/data-products/rankings/v1"


@pytest.fixture
def settings(store_url, tmp_path):
    # No broker here: the tests hand events to the subscription as the broker would.
    return StatsSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False, subscriptions_enabled=False,
                         kafka_bootstrap_servers="127.0.0.1:9", **trusting_test_authority())


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


def outbox(client):
    table = PLATFORM_TABLES.outbox
    with client.app.state.domain_service.engine.connect() as connection:
        return connection.execute(select(table).order_by(table.c.id)).all()


@pytest.fixture
def fighters():
    return {name: str(uuid.uuid4()) for name in ("ana", "bea", "cat")}


def test_records_and_rankings_are_served_and_announced_as_the_contracts_say(client, settings, fighters,
                                                                             stats_contracts):
    ana, bea, cat = fighters["ana"], fighters["bea"], fighters["cat"]
    deliver(client.app, fighter_event(ana, "Ana Ruiz"), fighter_event(bea, "Bea Stone"), fighter_event(cat, "Cat Moe"),
            result_event(ana, bea, ana, date(2024, 3, 1)),
            result_event(bea, ana, ana, date(2024, 9, 1), method="DEC-U"),
            result_event(cat, bea, None, date(2024, 10, 1), outcome="draw", method="DEC-S"))

    record = client.get(f"{RECORDS}/{ana}", headers=bearer(settings)).json()
    stats_contracts["fighter-records"].validate_record(record)
    assert set(record) == {field.name for field in stats_contracts["fighter-records"].fields}
    assert (record["name"], record["wins"], record["wins_by_ko_tko"], record["wins_by_decision"]) == (
        "Ana Ruiz", 2, 1, 1)
    assert (record["current_streak"], record["last_fight_date"], record["updated_at"]) == (
        2, "2024-09-01", "2024-09-01T23:00:00Z")

    ranking = client.get(f"{RANKINGS}/lightweight", headers=bearer(settings)).json()
    stats_contracts["rankings"].validate_record(ranking)
    assert [(entry["rank"], entry["fighter_id"]) for entry in ranking["entries"]] == [(1, ana), (2, cat), (3, bea)]
    assert ranking["entries"][0]["rating"] > 1500 > ranking["entries"][2]["rating"]

    rows = outbox(client)
    last_record = [row for row in rows if row.message_key == ana][-1]
    assert (last_record.topic, last_record.event_type) == ("stats.fighter-records.v1", "octagon.stats.record.updated.v1")
    assert last_record.payload == record
    last_ranking = [row for row in rows if row.message_key == "lightweight"][-1]
    assert (last_ranking.topic, last_ranking.event_type) == ("stats.rankings.v1", "octagon.stats.ranking.updated.v1")
    assert last_ranking.payload == ranking


def test_a_fighter_without_roster_event_has_a_record_with_no_name_yet(client, settings, fighters):
    deliver(client.app, result_event(fighters["ana"], fighters["bea"], fighters["bea"], date(2024, 3, 1),
                                 method="SUB", weight_class="flyweight"))
    record = client.get(f"{RECORDS}/{fighters['ana']}", headers=bearer(settings)).json()
    assert (record["name"], record["weight_class"], record["losses_by_submission"]) == (None, "flyweight", 1)
    ranking = client.get(f"{RANKINGS}/flyweight", headers=bearer(settings)).json()
    assert ranking["entries"] == []  # nobody is ranked before roster says they are active


def test_the_same_event_delivered_twice_is_counted_once(client, settings, fighters):
    bout = result_event(fighters["ana"], fighters["bea"], fighters["ana"], date(2024, 3, 1))
    deliver(client.app, bout)
    announced = len(outbox(client))
    deliver(client.app, bout)
    assert client.get(f"{RECORDS}/{fighters['ana']}", headers=bearer(settings)).json()["wins"] == 1
    assert len(outbox(client)) == announced


def test_fighter_records_port_pages_and_filters_by_weight_class(client, settings):
    ids = sorted(str(uuid.uuid4()) for _ in range(5))
    deliver(client.app, *[fighter_event(fighter_id, f"F{index}", weight_class="heavyweight" if index < 2 else "lightweight")
                      for index, fighter_id in enumerate(ids)])
    seen, cursor = [], None
    while True:
        page = client.get(RECORDS, params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                          headers=bearer(settings)).json()
        seen += [item["fighter_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    heavy = client.get(RECORDS, params={"weight_class": "heavyweight"}, headers=bearer(settings)).json()
    assert [item["fighter_id"] for item in heavy["items"]] == ids[:2]
    projected = client.get(RECORDS, params={"fields": "fighter_id,wins"}, headers=bearer(settings)).json()
    assert projected["items"][0] == {"fighter_id": ids[0], "wins": 0}


def test_replay_needs_a_token_holding_admin_of_stats(client, settings):
    assert client.post("/admin/replay").status_code == 401
    for scopes in (("read:stats.rankings.v1", "write:stats", "admin:roster"), ("*",), ("admin",)):
        refused = client.post("/admin/replay", headers=bearer(settings, scopes=scopes))
        assert refused.status_code == 403 and "'admin:stats'" in refused.json()["detail"], scopes


def test_replay_without_a_broker_is_refused_and_keeps_every_product(client, settings, fighters):
    deliver(client.app, fighter_event(fighters["ana"], "Ana Ruiz"))
    response = client.post("/admin/replay", headers=bearer(settings, "mesh-cli", ("admin:stats",)))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"{RECORDS}/{fighters['ana']}", headers=bearer(settings)).status_code == 200
