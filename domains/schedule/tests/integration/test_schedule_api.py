import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mesh_platform.events import EventFactory
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.events import deliver
from mesh_tools.testing.service import bearer, read_port_conforming, trusting_test_authority
from schedule.adapters.tables import PLATFORM_TABLES
from schedule.app import create_app
from schedule.settings import ScheduleSettings

pytestmark = pytest.mark.integration


# Fighters as roster publishes them: short test names for readable tests, real uuids on the wire.
IDS = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"fighter/{name}")) for name in ("a", "b", "c", "d", "h", "ghost")}


@pytest.fixture
def settings(store_url, tmp_path):
    # Roster is unreachable here: schedule knows fighters only from the events the tests feed it.
    return ScheduleSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False,
                            subscriptions_enabled=False, roster_url="http://127.0.0.1:9", **trusting_test_authority())


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        client.headers.update(test_authority().bearer("schedule-desk", ["write:schedule"]))
        yield client


def publish_fighter(client, name, weight_class="lightweight", status="active", verb="registered",
                    updated_at="2026-01-01T00:00:00Z"):
    data = {"fighter_id": IDS[name], "name": f"Fighter {name}", "nickname": None, "date_of_birth": None,
            "nationality": "US", "weight_class": weight_class, "stance": "orthodox", "height_cm": 180, "reach_cm": 185,
            "status": status, "registered_at": "2026-01-01T00:00:00Z", "updated_at": updated_at}
    deliver(client.app, EventFactory("roster", "http://catalog").create(
        product="fighters", major=1, entity="fighter", verb=verb, key=IDS[name], data=data))


def announce(client, date="2030-06-01"):
    response = client.post("/cards", json={"name": "Octagon 300", "date": date, "venue": "T-Mobile Arena",
                                           "city": "Las Vegas", "country": "US"})
    assert response.status_code == 201, response.text
    return response.json()["card_id"]


def book(client, card_id, red="a", blue="b", **changes):
    body = {"red_fighter_id": IDS[red], "blue_fighter_id": IDS[blue], "weight_class": "lightweight", "order_on_card": 1}
    body.update(changes)
    return client.post(f"/cards/{card_id}/bouts", json=body)


def outbox_types(client):
    with client.app.state.domain_service.engine.connect() as connection:
        table = PLATFORM_TABLES.outbox
        return connection.execute(select(table.c.event_type).order_by(table.c.id)).scalars().all()


@pytest.fixture
def fighters(client):
    for fighter_id in ("a", "b", "c"):
        publish_fighter(client, fighter_id)
    publish_fighter(client, "h", weight_class="heavyweight")


def test_bout_booked_from_replicated_fighters_is_published(client, fighters, settings):
    card_id = announce(client)
    response = book(client, card_id, title_bout=True)
    assert response.status_code == 201, response.text
    assert response.json()["scheduled_rounds"] == 5
    assert outbox_types(client) == ["octagon.schedule.card.announced.v1", "octagon.schedule.bout.scheduled.v1"]
    bouts = client.get("/data-products/bouts/v1", params={"card_id": card_id}, headers=bearer(settings)).json()
    assert [b["bout_id"] for b in bouts["items"]] == [response.json()["bout_id"]]


def test_bout_rejected_when_fighters_in_different_weight_classes(client, fighters):
    response = book(client, announce(client), blue="h")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "blue_fighter_id"
    assert "heavyweight" in response.json()["detail"]
    assert outbox_types(client) == ["octagon.schedule.card.announced.v1"]


def test_fighter_unknown_to_schedule_and_roster_is_refused(client, fighters):
    response = book(client, announce(client), blue="ghost")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "blue_fighter_id", "reason": f"no fighter with id {IDS['ghost']!r} on the roster"}


def test_retirement_event_stops_further_bookings(client, fighters):
    card_id = announce(client)
    publish_fighter(client, "a", status="retired", verb="retired", updated_at="2026-02-01T00:00:00Z")
    response = book(client, card_id)
    assert response.status_code == 422 and "retired" in response.json()["detail"]


def test_double_booking_is_a_conflict(client, fighters):
    card_id = announce(client)
    assert book(client, card_id).status_code == 201
    response = book(client, card_id, red="c", blue="a", order_on_card=2)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "blue_fighter_id"


def test_cancelling_a_card_cancels_its_bouts_and_announces_each(client, fighters, settings):
    card_id = announce(client)
    bout_id = book(client, card_id).json()["bout_id"]
    assert client.post(f"/cards/{card_id}/cancellation").json()["status"] == "cancelled"
    bout = client.get(f"/data-products/bouts/v1/{bout_id}", headers=bearer(settings)).json()
    assert bout["status"] == "cancelled"
    assert outbox_types(client)[-2:] == ["octagon.schedule.card.cancelled.v1", "octagon.schedule.bout.cancelled.v1"]


def test_unknown_card_is_a_404_problem(client, fighters):
    response = book(client, "no-such-card")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "card_id"


def test_event_cards_port_filters_by_date(client, settings):
    announce(client, "2030-06-01")
    announce(client, "2031-06-01")
    cards = client.get("/data-products/event-cards/v1", params={"date": "2031-06-01"}, headers=bearer(settings)).json()
    assert [card["date"] for card in cards["items"]] == ["2031-06-01"]
    bad = client.get("/data-products/event-cards/v1", params={"date": "June"}, headers=bearer(settings))
    assert bad.status_code == 400 and "date" in bad.json()["detail"]


def test_every_cards_and_bouts_response_conforms_to_the_contracts(client, fighters, settings):
    card_id = announce(client)
    book(client, card_id)
    assert book(client, card_id, red="c", blue="h", order_on_card=2).status_code == 422
    cancelled = announce(client, "2031-01-01")
    client.post(f"/cards/{cancelled}/cancellation")
    registry = client.app.state.domain_service.contracts
    assert len(read_port_conforming(client, registry.get("schedule", "event-cards", 1), bearer(settings))) == 2
    assert len(read_port_conforming(client, registry.get("schedule", "bouts", 1), bearer(settings))) == 1
