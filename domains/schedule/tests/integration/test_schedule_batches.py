"""Schedule's NDJSON batches: cards and the bouts on them loaded many at a time, each line as the single route."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from mesh_platform.domain_api import EventMessage
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.events import deliver
from mesh_tools.testing.service import trusting_test_authority
from schedule.app import create_app
from schedule.settings import ScheduleSettings

pytestmark = pytest.mark.integration

IDS = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"batch-fighter/{name}")) for name in ("a", "b", "c")}
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def client(store_url, tmp_path):
    settings = ScheduleSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False,
                                subscriptions_enabled=False, roster_url="http://127.0.0.1:9",
                                **trusting_test_authority())
    with TestClient(create_app(settings)) as client:
        client.headers.update(test_authority().bearer("schedule-desk", ["write:schedule"]))
        for name in IDS:  # fighters as roster publishes them
            data = {"fighter_id": IDS[name], "name": f"Fighter {name}", "nickname": None, "date_of_birth": None,
                    "nationality": "US", "weight_class": "lightweight", "stance": "orthodox", "height_cm": 180,
                    "reach_cm": 185, "status": "active", "registered_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z"}
            deliver(client.app, EventMessage(
                id=str(uuid.uuid4()), type="octagon.roster.fighter.registered.v1", source="/domains/roster",
                topic="roster.fighters.v1", key=IDS[name], time=datetime.now(UTC), data=data,
                dataschema="http://catalog/api/v1/data-products/roster/fighters/v1/contract"))
        yield client


def ndjson(*lines):
    return "".join(json.dumps(line) + "\n" for line in lines)


def answers(response):
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def test_cards_and_their_bouts_load_in_batches_and_a_double_booking_fails_only_its_line(client):
    cards = answers(client.post("/cards/batch", headers=NDJSON, content=ndjson(
        {"idempotency_key": "card-1", "command": {"name": "Octagon 300", "date": "2030-06-01", "venue": "Arena",
                                                  "city": "Las Vegas", "country": "US"}})))
    assert cards[0]["status"] == 201
    card_id = cards[0]["body"]["card_id"]

    def bout(red, blue, order):
        return {"red_fighter_id": IDS[red], "blue_fighter_id": IDS[blue], "weight_class": "lightweight",
                "order_on_card": order}

    single = client.post(f"/cards/{card_id}/bouts", json=bout("a", "b", 1))
    lines = answers(client.post("/cards/bouts/batch", headers=NDJSON, content=ndjson(
        {"card_id": card_id, "command": bout("a", "c", 2)},
        {"card_id": "no-such-card", "command": bout("b", "c", 3)},
        {"command": bout("b", "c", 3)})))
    refused = client.post(f"/cards/{card_id}/bouts", json=bout("a", "c", 4))
    assert single.status_code == 201 and refused.status_code in (409, 422)  # a is booked on this card already
    assert [line["status"] for line in lines] == [refused.status_code, 404, 422]
    assert lines[0]["body"]["type"] == refused.json()["type"]
    assert lines[1]["body"]["instance"] == "/cards/no-such-card/bouts"
    assert lines[2]["body"]["errors"][0]["field"] == "card_id"
