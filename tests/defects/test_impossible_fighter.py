"""The seed's impossible fighter: schedule's store comes to hold a fighter with more completed bouts in a year than
the promotion held events that year (a bad import, written past the domain's rules). The contract's sql rule
``bouts_per_year_within_events`` finds it on the next whole-product check, the catalog opens an incident within
60 s, the consuming team's webhook hears of it, and once the record is put right the incident resolves itself."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert

from mesh_tools.testing.service import trusting_test_authority
from schedule.adapters.tables import BoutRow, CardRow
from schedule.app import create_app
from schedule.settings import ScheduleSettings

pytestmark = pytest.mark.integration

RULE = "bouts:bouts_per_year_within_events"
BOUTS, CARDS = BoutRow.__table__, CardRow.__table__


@pytest.fixture
def schedule(tmp_path, monkeypatch, contracts_dir, catalog) -> Iterator[TestClient]:
    monkeypatch.setenv("MESH_QUALITY_INTERVAL_SECONDS", "1")
    settings = ScheduleSettings(database_url=f"sqlite:///{tmp_path / 'schedule.db'}", run_dir=tmp_path,
                                contracts_dir=contracts_dir, relay_enabled=False, subscriptions_enabled=False,
                                catalog_enabled=False, **trusting_test_authority())
    with TestClient(create_app(settings)) as client:
        client.app.state.domain_service.quality.emit = catalog.emitter("schedule")
        yield client


def bout(card_id: str, order: int, red: str) -> dict:
    return {"bout_id": str(uuid.uuid4()), "card_id": card_id, "card_date": date(2019, 3, 2), "order_on_card": order,
            "title_bout": False, "main_event": order == 2, "scheduled_rounds": 5 if order == 2 else 3,
            "red_fighter_id": red, "blue_fighter_id": str(uuid.uuid4()), "weight_class": "lightweight",
            "status": "completed", "scheduled_at": datetime(2019, 1, 5, tzinfo=UTC)}


def wait_for(check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return None


def test_the_impossible_fighter_opens_an_incident_and_it_resolves_once_put_right(schedule, catalog, subscriber):
    card_id, fighter = str(uuid.uuid4()), str(uuid.uuid4())
    impossible = [bout(card_id, 1, fighter), bout(card_id, 2, fighter)]  # two bouts, one event held in 2019
    engine = schedule.app.state.domain_service.engine
    with engine.begin() as connection:
        connection.execute(insert(CARDS).values(
            card_id=card_id, name="Octagon 12", venue="Arena", city="Lisbon", country="PT", date=date(2019, 3, 2),
            status="completed", announced_at=datetime(2019, 1, 1, tzinfo=UTC)))
        connection.execute(insert(BOUTS), impossible)
    injected = time.monotonic()

    incident = wait_for(lambda: next((i for i in catalog.incidents(open=True) if i["rule"] == RULE), None), 60)
    assert incident is not None, f"no incident of {RULE} within 60 s: {catalog.incidents()}"
    detected = time.monotonic() - injected
    assert (incident["domain"], incident["product"]) == ("schedule", "bouts")
    notified = wait_for(lambda: subscriber.incident_opened(RULE, injected), 60 - detected)
    assert notified is not None, "the subscriber heard nothing of the impossible fighter"
    print(f"\nimpossible fighter: incident #{incident['id']} {detected:.2f} s after the bad import, "
          f"subscriber notified after {notified - injected:.2f} s")

    with engine.begin() as connection:  # the fix: the duplicated appearance is removed
        connection.execute(delete(BOUTS).where(BOUTS.c.bout_id == impossible[1]["bout_id"]))
    resolved = catalog.wait_resolved(incident["id"])
    assert resolved["resolvedBy"] == "catalog"
    print(f"impossible fighter: resolved itself {resolved['timeToRepairSeconds']:.2f} s after it opened")
