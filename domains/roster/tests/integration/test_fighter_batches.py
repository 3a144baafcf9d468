"""Roster's NDJSON batches: many fighters in one request, each line answered as ``POST /fighters`` would answer it."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.service import bearer, trusting_test_authority
from roster.adapters.tables import PLATFORM_TABLES
from roster.app import create_app
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

WRITER = test_authority().bearer("roster-desk", ["write:roster"])
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def settings(store_url, tmp_path):
    return RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False, subscriptions_enabled=False,
                          **trusting_test_authority())


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        client.headers.update(WRITER)
        yield client


def fighter(name, **changes):
    body = {"name": name, "nickname": None, "date_of_birth": "1994-03-02", "nationality": "BR",
            "weight_class": "womens_bantamweight", "stance": "orthodox", "height_cm": 170, "reach_cm": 175}
    return {**body, **changes}


def ndjson(*lines):
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


def answers(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def outbox_count(client):
    with client.app.state.domain_service.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(PLATFORM_TABLES.outbox)).scalar_one()


def test_a_batch_registers_every_good_line_and_answers_each_bad_one_as_the_single_command_would(client, settings):
    single_refusal = client.post("/fighters", json=fighter("Too Young", date_of_birth="2015-01-01")).json()
    body = ndjson({"idempotency_key": "b-1", "command": fighter("Amanda Silva")},
                  {"command": fighter("Too Young", date_of_birth="2015-01-01")},
                  "{not json",
                  {"command": fighter("Valentina Grasso")})
    lines = answers(client.post("/fighters/batch", content=body, headers=NDJSON))
    assert [(a["line"], a["status"]) for a in lines] == [(1, 201), (2, 422), (3, 400), (4, 201)]
    assert lines[0]["idempotency_key"] == "b-1" and lines[1]["idempotency_key"] is None
    assert lines[1]["body"] == single_refusal
    assert lines[2]["body"]["type"].startswith("urn:problem-type:")
    assert outbox_count(client) == 2  # events for the two good lines only
    names = {item["name"] for item in client.get("/data-products/fighters/v1", headers=bearer(settings)).json()["items"]}
    assert names == {"Amanda Silva", "Valentina Grasso"}


def test_a_key_used_on_the_single_route_replays_its_first_reply_in_a_batch(client):
    first = client.post("/fighters", json=fighter("Amanda Silva"), headers={"Idempotency-Key": "k-1"}).json()
    lines = answers(client.post("/fighters/batch", headers=NDJSON,
                                content=ndjson({"idempotency_key": "k-1", "command": fighter("Amanda Silva")})))
    assert lines[0]["status"] == 201 and lines[0]["body"] == first
    assert outbox_count(client) == 1


def test_retirements_in_a_batch_name_their_fighter_on_each_line(client):
    fighter_id = client.post("/fighters", json=fighter("Amanda Silva")).json()["fighter_id"]
    lines = answers(client.post("/fighters/retirement/batch", headers=NDJSON,
                                content=ndjson({"fighter_id": fighter_id}, {"fighter_id": "no-such-fighter"})))
    assert lines[0]["status"] == 200 and lines[0]["body"]["status"] == "retired"
    assert lines[1]["status"] == 404 and lines[1]["body"]["instance"] == "/fighters/no-such-fighter/retirement"


def test_batch_replies_hide_the_date_of_birth_from_callers_without_the_pii_scope(client):
    lines = answers(client.post("/fighters/batch", headers=NDJSON, content=ndjson({"command": fighter("Amanda Silva")})))
    with_pii = client.post("/fighters", json=fighter("Amanda Silva"),
                           headers=test_authority().bearer("desk", ["write:roster", "pii:roster.fighters"])).json()
    assert lines[0]["body"]["date_of_birth"] != "1994-03-02"
    assert with_pii["date_of_birth"] == "1994-03-02"


def test_the_batch_is_documented_as_ndjson_in_openapi(client):
    operation = client.get("/openapi.json").json()["paths"]["/fighters/batch"]["post"]
    line = operation["requestBody"]["content"]["application/x-ndjson"]["schema"]
    assert line["properties"]["command"] == {"$ref": "#/components/schemas/FighterCreate"}
    assert "application/x-ndjson" in operation["responses"]["200"]["content"]
