import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.service import bearer, read_port_conforming, trusting_test_authority
from roster.adapters.tables import PLATFORM_TABLES
from roster.app import create_app
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

WRITER = test_authority().bearer("roster-desk", ["write:roster"])


@pytest.fixture
def settings(store_url, tmp_path):
    return RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False, subscriptions_enabled=False,
                          **trusting_test_authority())


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        client.headers.update(WRITER)  # commands need write:roster; reads pass their own token
        yield client


def amanda(**changes):
    body = {"name": "Amanda Silva", "nickname": "The Lioness", "date_of_birth": "1994-03-02", "nationality": "BR",
            "weight_class": "womens_bantamweight", "stance": "orthodox", "height_cm": 170, "reach_cm": 175}
    body.update(changes)
    return body


def outbox_types(client):
    engine = client.app.state.domain_service.engine
    with engine.connect() as connection:
        return connection.execute(select(PLATFORM_TABLES.outbox.c.event_type).order_by(PLATFORM_TABLES.outbox.c.id)).scalars().all()


def test_registering_a_fighter_stores_it_with_its_event_in_one_commit(client):
    response = client.post("/fighters", json=amanda())
    assert response.status_code == 201
    assert response.json()["status"] == "active"
    assert outbox_types(client) == ["octagon.roster.fighter.registered.v1"]


def test_refused_registration_writes_neither_fighter_nor_event(client, settings):
    response = client.post("/fighters", json=amanda(date_of_birth="2015-01-01"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "date_of_birth"
    assert outbox_types(client) == []
    assert client.get("/data-products/fighters/v1", headers=bearer(settings)).json()["items"] == []


def test_malformed_body_names_every_wrong_field(client):
    response = client.post("/fighters", json=amanda(weight_class="catchweight", height_cm=500, extra="x"))
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"weight_class", "height_cm", "extra"}


def test_same_idempotency_key_registers_once(client, settings):
    first = client.post("/fighters", json=amanda(), headers={"Idempotency-Key": "k-1"})
    again = client.post("/fighters", json=amanda(), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/data-products/fighters/v1", headers=bearer(settings)).json()["items"]) == 1
    assert outbox_types(client) == ["octagon.roster.fighter.registered.v1"]


def test_idempotency_key_reused_for_another_request_is_a_conflict(client):
    client.post("/fighters", json=amanda(), headers={"Idempotency-Key": "k-2"})
    response = client.post("/fighters", json=amanda(name="Someone Else"), headers={"Idempotency-Key": "k-2"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_retiring_twice_is_a_conflict_and_announces_once(client):
    fighter_id = client.post("/fighters", json=amanda()).json()["fighter_id"]
    assert client.post(f"/fighters/{fighter_id}/retirement").json()["status"] == "retired"
    assert client.post(f"/fighters/{fighter_id}/retirement").status_code == 409
    assert outbox_types(client).count("octagon.roster.fighter.retired.v1") == 1


def test_unknown_fighter_is_a_404_problem(client):
    response = client.put("/fighters/nobody", json=amanda())
    assert response.status_code == 404
    assert response.json()["errors"] == [{"field": "fighter_id", "reason": "no fighter with id 'nobody'"}]


def test_fighters_port_pages_with_a_cursor_and_filters(client, settings):
    for index in range(5):
        client.post("/fighters", json=amanda(name=f"Fighter {index}",
                                             weight_class="flyweight" if index % 2 else "womens_bantamweight"))
    headers = bearer(settings)
    seen, cursor = [], None
    while True:
        page = client.get("/data-products/fighters/v1", params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                          headers=headers).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and len({item["fighter_id"] for item in seen}) == 5
    flyweights = client.get("/data-products/fighters/v1", params={"weight_class": "flyweight"}, headers=headers).json()
    assert {item["weight_class"] for item in flyweights["items"]} == {"flyweight"}
    assert len(flyweights["items"]) == 2


def test_fighters_port_masks_date_of_birth_without_the_pii_scope(client, settings):
    fighter_id = client.post("/fighters", json=amanda()).json()["fighter_id"]
    plain = client.get(f"/data-products/fighters/v1/{fighter_id}", headers=bearer(settings)).json()
    assert plain["date_of_birth"] is None
    allowed = client.get(f"/data-products/fighters/v1/{fighter_id}",
                         headers=bearer(settings, scopes=("read:roster.fighters.v1", "pii:roster.fighters"))).json()
    assert allowed["date_of_birth"] == "1994-03-02"


def test_fighters_port_answers_304_when_nothing_changed(client, settings):
    client.post("/fighters", json=amanda())
    first = client.get("/data-products/fighters/v1", headers=bearer(settings))
    again = client.get("/data-products/fighters/v1", headers={**bearer(settings), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    client.post("/fighters", json=amanda(name="Newcomer"))
    changed = client.get("/data-products/fighters/v1", headers={**bearer(settings), "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_fighters_port_needs_a_valid_token(client):
    assert client.get("/data-products/fighters/v1", headers={"Authorization": ""}).status_code == 401
    assert client.get("/data-products/fighters/v1", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_fighters_port_refuses_unknown_filters_and_fields(client, settings):
    unknown_filter = client.get("/data-products/fighters/v1", params={"colour": "red"}, headers=bearer(settings))
    assert unknown_filter.status_code == 400 and "colour" in unknown_filter.json()["detail"]
    unknown_field = client.get("/data-products/fighters/v1", params={"fields": "name,shoe_size"}, headers=bearer(settings))
    assert unknown_field.status_code == 400 and "shoe_size" in unknown_field.json()["detail"]


def test_fields_projection_returns_only_the_named_fields(client, settings):
    client.post("/fighters", json=amanda())
    items = client.get("/data-products/fighters/v1", params={"fields": "fighter_id,name"}, headers=bearer(settings)).json()["items"]
    assert set(items[0]) == {"fighter_id", "name"}


def test_every_fighters_response_conforms_to_the_contract(client, settings):
    client.post("/fighters", json=amanda())
    client.post("/fighters", json=amanda(name="Mika Tanaka", nickname=None, nationality="JP", weight_class="flyweight"))
    retired = client.post("/fighters", json=amanda(name="Old Timer")).json()["fighter_id"]
    client.post(f"/fighters/{retired}/retirement")
    contract = client.app.state.domain_service.contracts.get("roster", "fighters", 1)
    for scopes in (("read:roster.fighters.v1",), ("read:roster.fighters.v1", "pii:roster.fighters")):
        records = read_port_conforming(client, contract, bearer(settings, scopes=scopes))
        assert len(records) == 3


def test_commands_need_a_token_holding_write_roster(client):
    assert client.post("/fighters", json=amanda(), headers={"Authorization": ""}).status_code == 401
    for scopes in (["write:schedule"], ["read:roster.fighters.v1"], ["admin:roster"], ["*"]):
        refused = client.post("/fighters", json=amanda(), headers=test_authority().bearer("x", scopes))
        assert refused.status_code == 403, scopes
        assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    assert outbox_types(client) == []


def test_command_replies_show_the_date_of_birth_only_with_the_pii_scope(client):
    masked = client.post("/fighters", json=amanda())
    assert masked.status_code == 201 and masked.json()["date_of_birth"] is None
    shown = client.post("/fighters", json=amanda(name="Other One"),
                        headers=test_authority().bearer("hr", ["write:roster", "pii:roster.fighters"]))
    assert shown.json()["date_of_birth"] == "1994-03-02"


def test_an_idempotency_key_belongs_to_the_caller_that_used_it_first(client):
    owner = test_authority().bearer("owner", ["write:roster", "pii:roster.fighters"])
    first = client.post("/fighters", json=amanda(), headers={**owner, "Idempotency-Key": "k-theft"})
    assert first.status_code == 201
    thief = test_authority().bearer("thief", ["write:roster"])
    stolen = client.post("/fighters", json=amanda(), headers={**thief, "Idempotency-Key": "k-theft"})
    assert stolen.status_code == 409
    assert "1994-03-02" not in stolen.text and first.json()["fighter_id"] not in stolen.text
    replay = client.post("/fighters", json=amanda(), headers={"Idempotency-Key": "k-theft",
                                                                 **test_authority().bearer("owner", ["write:roster"])})
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["date_of_birth"] is None  # the same caller, now without the PII scope: masked on replay
