"""Two defects no single event shows, only the product as a whole: a volume outlier and a spike of nulls.

* **Volume outlier** — a bulk import written past roster's domain doubles the roster at once. The contract's
  ``fighters_volume_control`` control chart (Shewhart with the Western Electric rules and an EWMA of the row count)
  flags the point against its warmed-up baseline; the catalog opens an incident within 60 s and the consuming
  team's webhook hears of it. The fix (the import is rolled back) brings the count back into control, and the
  incident resolves itself.
* **Spike of nulls** — stats' records lose the fighter's name (a replay of its roster copy gone wrong). ``name`` is
  nullable (a record is nameless while roster's event about a new fighter is on its way), so the schema check has
  nothing to say: the contract's ``nullValues`` rule ``name_null_share`` (at most 10 % nameless, over the whole
  product) fails, and the incident names that rule.

Detection times are printed (``pytest -s``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, insert, select, update

from mesh_platform.events.factory import EventFactory
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.events import deliver
from mesh_tools.testing.service import trusting_test_authority
from roster.adapters.tables import FighterRow
from roster.app import create_app as create_roster
from roster.settings import RosterSettings
from stats.adapters.tables import FighterRecordRow
from stats.app import create_app as create_stats
from stats.settings import StatsSettings

pytestmark = pytest.mark.integration

READER = test_authority().bearer("reader", ["read:roster.fighters.v1", "read:stats.fighter-records.v1"])
FIGHTERS, RECORDS = FighterRow.__table__, FighterRecordRow.__table__
VOLUME_RULE = "fighters:fighters_volume_control"
NULL_RULE = "fighter_records.name:name_null_share"
CATALOG = "http://127.0.0.1:8000"


def wait_for(check, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return None


def open_incident(catalog, rule: str) -> dict[str, Any] | None:
    return next((i for i in catalog.incidents(open=True) if i["rule"] == rule), None)


# -- volume outlier ---------------------------------------------------------------------------------------------------

@pytest.fixture
def roster(tmp_path, monkeypatch, contracts_dir, catalog) -> Iterator[TestClient]:
    monkeypatch.setenv("MESH_QUALITY_INTERVAL_SECONDS", "1")
    settings = RosterSettings(database_url=f"sqlite:///{tmp_path / 'roster.db'}", run_dir=tmp_path,
                              contracts_dir=contracts_dir, relay_enabled=False, subscriptions_enabled=False,
                              catalog_enabled=False, **trusting_test_authority())
    with TestClient(create_roster(settings)) as client:
        client.app.state.domain_service.quality.emit = catalog.emitter("roster")
        yield client


def fighter_rows(count: int, batch: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [{"fighter_id": str(uuid.uuid4()), "name": f"{batch} {n}", "nickname": None,
             "date_of_birth": date(1994, 3, 2), "nationality": "BR", "weight_class": "lightweight",
             "stance": "orthodox", "height_cm": 170, "reach_cm": 175, "status": "active", "registered_at": now,
             "updated_at": now} for n in range(count)]


def volume_chart(roster: TestClient) -> list[dict[str, Any]]:
    response = roster.get(f"/quality/history/roster.fighters/v1/{VOLUME_RULE}", headers=READER)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_volume_outlier_is_flagged_by_the_control_chart_and_opens_an_incident(roster, catalog, subscriber):
    engine = roster.app.state.domain_service.engine
    with engine.begin() as connection:  # the roster as it stands: a handful of fighters
        connection.execute(insert(FIGHTERS), fighter_rows(4, "Signed"))
    # The chart judges nothing until it has ten points of baseline (one a second here).
    warm = wait_for(lambda: any(p["verdict"] == "in_control" for p in volume_chart(roster)), 40)
    assert warm, f"the volume chart never left its warm-up: {volume_chart(roster)}"
    assert open_incident(catalog, VOLUME_RULE) is None

    burst = fighter_rows(40, "Imported twice")
    with engine.begin() as connection:  # a bulk import past the domain: ten times the roster at once
        connection.execute(insert(FIGHTERS), burst)
    injected = time.monotonic()

    incident = wait_for(lambda: open_incident(catalog, VOLUME_RULE), 60)
    assert incident is not None, f"no incident of {VOLUME_RULE} within 60 s: {catalog.incidents()}"
    detected = time.monotonic() - injected
    assert (incident["domain"], incident["product"], incident["major"]) == ("roster", "fighters", 1)
    flagged = [p for p in volume_chart(roster) if p["verdict"] == "flagged"]
    assert flagged and flagged[0]["value"] == 44.0, flagged
    # Far beyond three sigma of a baseline of 4 fighters: the Shewhart chart's first rule fires, and the EWMA too.
    assert {"WE1", "EWMA"} <= set(flagged[0]["signals"]) and flagged[0]["limits"][1] < 44
    notified = wait_for(lambda: subscriber.incident_opened(VOLUME_RULE, injected), 60 - detected)
    assert notified is not None, "the consuming team heard nothing of the volume outlier"
    print(f"\nvolume outlier: incident #{incident['id']} {detected:.2f} s after the burst, "
          f"subscriber notified after {notified - injected:.2f} s")

    with engine.begin() as connection:  # the fix: the duplicated import is rolled back
        connection.execute(delete(FIGHTERS).where(FIGHTERS.c.fighter_id.in_([row["fighter_id"] for row in burst])))
    resolved = catalog.wait_resolved(incident["id"])
    assert resolved["resolvedBy"] == "catalog"
    # The flagged points stayed out of the baseline (one 44 among 30 points of 4 would lift the centre past 5): the
    # count back at 4 is judged in control against the roster as it was.
    chart = volume_chart(roster)
    assert (chart[-1]["value"], chart[-1]["verdict"]) == (4.0, "in_control") and chart[-1]["center"] < 5, chart[-1]
    print(f"volume outlier: resolved itself {resolved['timeToRepairSeconds']:.2f} s after it opened")


# -- spike of nulls ---------------------------------------------------------------------------------------------------

@pytest.fixture
def stats(tmp_path, monkeypatch, contracts_dir, catalog) -> Iterator[TestClient]:
    monkeypatch.setenv("MESH_QUALITY_INTERVAL_SECONDS", "1")
    settings = StatsSettings(database_url=f"sqlite:///{tmp_path / 'stats.db'}", run_dir=tmp_path,
                             contracts_dir=contracts_dir, relay_enabled=False, subscriptions_enabled=False,
                             catalog_enabled=False, kafka_bootstrap_servers="127.0.0.1:9", **trusting_test_authority())
    with TestClient(create_stats(settings)) as client:
        client.app.state.domain_service.quality.emit = catalog.emitter("stats")
        yield client


def fighter_registered(fighter_id: str, name: str):
    data = {"fighter_id": fighter_id, "name": name, "nickname": None, "nationality": "US",
            "weight_class": "lightweight", "stance": "orthodox", "height_cm": 180, "reach_cm": 185, "status": "active",
            "registered_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}
    return EventFactory("roster", CATALOG).create(product="fighters", major=1, entity="fighter", verb="registered",
                                                  key=fighter_id, data=data)


def result_recorded(red: str, blue: str, on: date):
    bout_id = str(uuid.uuid4())
    data = {"bout_id": bout_id, "card_id": str(uuid.uuid4()), "bout_date": on.isoformat(),
            "weight_class": "lightweight", "red_fighter_id": red, "blue_fighter_id": blue, "outcome": "win",
            "winner_fighter_id": red, "method": "KO/TKO", "round": 1, "time": "2:10", "judges_scores": None,
            "recorded_at": f"{on.isoformat()}T23:00:00Z"}
    return EventFactory("results", CATALOG).create(product="bout-results", major=1, entity="result",
                                                   verb="recorded", key=bout_id, data=data)


def null_share(stats: TestClient) -> dict[str, Any] | None:
    results = stats.get("/quality", headers=READER).json()["results"]
    return next((r for r in results if r["rule_key"] == NULL_RULE and r["scope"] == "schedule"), None)


def test_a_spike_of_nulls_in_a_nullable_field_fails_its_null_values_rule_and_opens_an_incident(
    stats, catalog, subscriber
):
    fighters = {str(uuid.uuid4()): name for name in ("Ana Ruiz", "Bea Stone", "Cat Moe", "Dee Park")}
    ids = list(fighters)
    deliver(stats.app, *(fighter_registered(key, name) for key, name in fighters.items()),
            result_recorded(ids[0], ids[1], date(2024, 3, 1)), result_recorded(ids[2], ids[3], date(2024, 3, 1)))
    passed = wait_for(lambda: (r := null_share(stats)) is not None and r["status"] == "passed", 30)
    assert passed, f"the rule never ran over the named records: {null_share(stats)}"

    engine = stats.app.state.domain_service.engine
    with engine.begin() as connection:  # a replay of stats' roster copy gone wrong: every record loses its name
        connection.execute(update(RECORDS).values(name=None))
    injected = time.monotonic()

    incident = wait_for(lambda: open_incident(catalog, NULL_RULE), 60)
    assert incident is not None, f"no incident of {NULL_RULE} within 60 s: {catalog.incidents()}"
    detected = time.monotonic() - injected
    assert (incident["domain"], incident["product"], incident["rule"]) == ("stats", "fighter-records", NULL_RULE)
    measured = null_share(stats)
    assert measured is not None
    assert (measured["status"], measured["metric"], measured["measured"], measured["unit"]) == (
        "failed", "nullValues", 100.0, "percent")
    notified = wait_for(lambda: subscriber.incident_opened(NULL_RULE, injected), 60 - detected)
    assert notified is not None, "roster, which consumes stats' records, heard nothing of the null spike"
    print(f"\nspike of nulls: incident #{incident['id']} ({NULL_RULE}) {detected:.2f} s after the spike, "
          f"subscriber notified after {notified - injected:.2f} s")

    with engine.begin() as connection:  # the fix: the copy is rebuilt, the names come back
        for key, name in fighters.items():
            connection.execute(update(RECORDS).where(RECORDS.c.fighter_id == key).values(name=name))
        assert connection.execute(select(func.count()).where(RECORDS.c.name.is_(None))).scalar_one() == 0
    resolved = catalog.wait_resolved(incident["id"])
    assert resolved["resolvedBy"] == "catalog"
    print(f"spike of nulls: resolved itself {resolved['timeToRepairSeconds']:.2f} s after it opened")
