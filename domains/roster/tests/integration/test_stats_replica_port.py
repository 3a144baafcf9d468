"""Roster shows stats' record and rank of each fighter as a labelled replica, fed by stats' events (reverse ETL)."""

import json
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mesh_platform.domain_api import EventMessage
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.events import deliver
from mesh_tools.testing.service import bearer, read_port_conforming, trusting_test_authority
from roster.adapters.tables import PLATFORM_TABLES
from roster.app import create_app
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

WRITER = test_authority().bearer("roster-desk", ["write:roster"])
T0 = datetime(2024, 7, 13, 23, 10, 5, tzinfo=UTC)


@pytest.fixture
def settings(store_url, tmp_path):
    return RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False, subscriptions_enabled=False,
                          **trusting_test_authority())


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        client.headers.update(WRITER)
        yield client


@pytest.fixture
def fighter_id(client):
    response = client.post("/fighters", json={
        "name": "Valentina Costa", "nickname": None, "date_of_birth": "1990-05-04", "nationality": "BR",
        "weight_class": "lightweight", "stance": "orthodox", "height_cm": 170, "reach_cm": 175})
    assert response.status_code == 201, response.text
    return response.json()["fighter_id"]


def stats_event(product, entity, key, data):
    """An event as stats publishes it on its product's topic (CloudEvents type octagon.stats.<entity>.updated.v1)."""
    return EventMessage(id=str(uuid.uuid4()), type=f"octagon.stats.{entity}.updated.v1", source="/domains/stats",
                        topic=f"stats.{product}.v1", key=key, time=datetime.now(UTC), data=data)


def record_event(fighter_id, wins, as_of):
    data = {"fighter_id": fighter_id, "name": "Valentina Costa", "weight_class": "lightweight", "wins": wins,
            "losses": 1, "draws": 0, "no_contests": 0, "wins_by_ko_tko": wins, "wins_by_submission": 0,
            "wins_by_decision": 0, "wins_by_dq": 0, "losses_by_ko_tko": 1, "losses_by_submission": 0,
            "losses_by_decision": 0, "current_streak": 1, "last_fight_date": "2024-07-13", "fights_per_year": 2.5,
            "updated_at": as_of.isoformat()}
    return stats_event("fighter-records", "record", fighter_id, data)


def ranking_event(weight_class, entries, as_of):
    data = {"weight_class": weight_class, "updated_at": as_of.isoformat(), "entries": [
        {"rank": rank, "fighter_id": fid, "name": "Somebody", "rating": rating, "wins": 1, "losses": 0}
        for rank, (fid, rating) in enumerate(entries, start=1)]}
    return stats_event("rankings", "ranking", weight_class, data)


def shown(client, settings, fighter_id):
    response = client.get(f"/data-products/fighters/v1/{fighter_id}", headers=bearer(settings))
    assert response.status_code == 200, response.text
    return response.json()["stats"]


def test_a_fighter_stats_never_published_about_shows_no_replica(client, settings, fighter_id):
    assert shown(client, settings, fighter_id) is None


def test_stats_record_and_rank_show_beside_the_fighter_labelled_with_their_version_and_source(
    client, settings, fighter_id
):
    deliver(client.app, record_event(fighter_id, 9, T0),
            ranking_event("lightweight", [("00000000-0000-4000-8000-000000000001", 1700.0), (fighter_id, 1650.5)],
                          T0 + timedelta(seconds=1)))
    assert shown(client, settings, fighter_id) == {
        "wins": 9, "losses": 1, "draws": 0, "no_contests": 0, "record_as_of": "2024-07-13T23:10:05Z",
        "rank": 2, "rating": 1650.5, "ranking_as_of": "2024-07-13T23:10:06Z",
        "sources": ["stats.fighter-records.v1", "stats.rankings.v1"],
    }
    # the whole product still conforms to roster's contract, replica included
    contract = client.app.state.domain_service.contracts.get("roster", "fighters", 1)
    records = read_port_conforming(client, contract, bearer(settings))
    assert [r["stats"]["wins"] for r in records] == [9]


def test_replayed_and_late_events_never_count_a_bout_twice(client, settings, fighter_id):
    deliver(client.app, record_event(fighter_id, 3, T0 + timedelta(minutes=5)))
    # stats replayed: the same versions again under new event ids, then an older version arriving late
    deliver(client.app, record_event(fighter_id, 3, T0 + timedelta(minutes=5)), record_event(fighter_id, 3,
            T0 + timedelta(minutes=5)), record_event(fighter_id, 2, T0))
    replica = shown(client, settings, fighter_id)
    assert (replica["wins"], replica["record_as_of"]) == (3, "2024-07-13T23:15:05Z")


def test_a_newer_ranking_without_the_fighter_unranks_them_in_their_division(client, settings, fighter_id):
    deliver(client.app, ranking_event("lightweight", [(fighter_id, 1600.0)], T0))
    deliver(client.app, ranking_event("lightweight", [], T0 + timedelta(hours=1)))
    deliver(client.app, ranking_event("welterweight", [(fighter_id, 1800.0)], T0))  # not the division roster lists
    replica = shown(client, settings, fighter_id)
    assert (replica["rank"], replica["rating"], replica["ranking_as_of"]) == (None, None, "2024-07-14T00:10:05Z")
    assert replica["wins"] is None and replica["record_as_of"] is None


def test_roster_own_events_never_carry_the_replica(client, settings, fighter_id):
    deliver(client.app, record_event(fighter_id, 9, T0))
    assert client.post(f"/fighters/{fighter_id}/retirement").status_code in (200, 201)
    engine = client.app.state.domain_service.engine
    with engine.connect() as connection:
        payloads = connection.execute(select(PLATFORM_TABLES.outbox.c.payload)).scalars().all()
    assert len(payloads) == 2 and all(set(payload) >= {"fighter_id", "status"} and "stats" not in payload
                                      for payload in payloads)


def test_filters_and_paging_work_over_the_replica(client, settings, fighter_id):
    deliver(client.app, record_event(fighter_id, 9, T0))
    page = client.get("/data-products/fighters/v1", params={"weight_class": "lightweight", "limit": 1},
                      headers=bearer(settings)).json()
    assert [item["stats"]["wins"] for item in page["items"]] == [9]
    assert client.get("/data-products/fighters/v1", params={"weight_class": "heavyweight"},
                      headers=bearer(settings)).json()["items"] == []


def changed_since(client, settings, since):
    """The fighters an incremental analytical snapshot ``since`` answers, by id, and that snapshot's time."""
    response = client.get("/analytical/fighters/v1.ndjson", params={"since": since} if since else None,
                          headers=bearer(settings))
    assert response.status_code == 200, response.text
    records = [json.loads(line) for line in response.text.splitlines() if line]
    return {record["fighter_id"]: record for record in records}, response.headers["X-Snapshot-Time"]


def test_an_incremental_snapshot_returns_a_fighter_whose_replica_alone_changed_with_the_new_values(
    client, settings, fighter_id
):
    other = client.post("/fighters", json={
        "name": "Aoife Byrne", "nickname": None, "date_of_birth": "1991-02-03", "nationality": "IE",
        "weight_class": "lightweight", "stance": "southpaw", "height_cm": 168, "reach_cm": 170}).json()["fighter_id"]
    everyone, taken = changed_since(client, settings, None)
    assert set(everyone) == {fighter_id, other}
    own_change = everyone[fighter_id]["updated_at"]

    # Only stats' copy of the record changes, with a version from long ago (stats lagged): news to roster's readers.
    deliver(client.app, record_event(fighter_id, 9, T0))
    changed, taken = changed_since(client, settings, taken)
    assert set(changed) == {fighter_id}
    assert changed[fighter_id]["stats"]["wins"] == 9
    assert changed[fighter_id]["updated_at"] == own_change  # the fighter's own change time: the replica's is apart

    # Then only the division's ranking: the fighter comes again, ranked.
    deliver(client.app, ranking_event("lightweight", [(fighter_id, 1650.5)], T0 + timedelta(seconds=1)))
    changed, taken = changed_since(client, settings, taken)
    assert set(changed) == {fighter_id, other}  # the ranking of their division is part of both records
    assert (changed[fighter_id]["stats"]["rank"], changed[other]["stats"]["rank"]) == (1, None)

    # A replay of stats changes nothing, so nothing is news; the full snapshot agrees with what was returned.
    deliver(client.app, record_event(fighter_id, 9, T0))
    assert changed_since(client, settings, taken)[0] == {}
    assert changed_since(client, settings, None)[0] == changed


def test_roster_refuses_to_start_when_its_subscription_is_not_declared_in_its_contracts(store_url, tmp_path):
    contracts = tmp_path / "contracts"
    shutil.copytree(Path(__file__).resolve().parents[4] / "contracts", contracts)
    (contracts / "roster" / "subscriptions.yaml").unlink()  # no read grant would cover what roster consumes
    settings = RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False,
                              subscriptions_enabled=False, contracts_dir=contracts, **trusting_test_authority())
    with pytest.raises(RuntimeError, match=r"roster/subscriptions.yaml does not exist"):
        create_app(settings)
