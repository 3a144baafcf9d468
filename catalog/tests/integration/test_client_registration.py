"""Client registration: a domain's admin registers, lists, rotates, disables and deletes its clients; the secret is
shown once and stored as an argon2 hash; every step is audited; the clients file's clients keep working."""

import base64
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from catalog.app import create_app

pytestmark = pytest.mark.integration

CLIENTS = [
    {"client_id": "roster", "secret": "roster-secret-0123456789-abcdef", "domain": "roster"},
    {"client_id": "schedule", "secret": "schedule-secret-0123456789-abcdef", "domain": "schedule"},
    {"client_id": "analyst", "secret": "analyst-secret-0123456789-abcdef", "owner": "research"},
    {"client_id": "root", "secret": "root-secret-0123456789-abcdefghij", "owner": "ops", "scopes": ["admin:catalog"]},
]
SECRETS = {c["client_id"]: c["secret"] for c in CLIENTS}


def issuing_catalog(tmp_path, store_url, catalog_settings_factory):
    clients = tmp_path / "clients.json"
    clients.write_text(json.dumps({"clients": CLIENTS}))
    settings = catalog_settings_factory(tmp_path, store_url, MESH_OIDC_JWKS=None, MESH_OIDC_ISSUER=None,
                                        CATALOG_CLIENTS_FILE=str(clients))
    return TestClient(create_app(settings))


@pytest.fixture
def catalog(tmp_path, catalog_settings_factory):
    """On SQLite (argon2 makes every token costly: the rules are the same on both stores)."""
    with issuing_catalog(tmp_path, None, catalog_settings_factory) as client:
        yield client


@pytest.fixture
def catalog_on_store(tmp_path, store_url, catalog_settings_factory):
    """On SQLite and on PostgreSQL (migration 0004 on both)."""
    with issuing_catalog(tmp_path, store_url, catalog_settings_factory) as client:
        yield client


def token_response(catalog, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return catalog.post("/oauth2/token", data={"grant_type": "client_credentials"},
                        headers={"Authorization": f"Basic {basic}"})


def as_(catalog, client_id, secret=None):
    response = token_response(catalog, client_id, secret or SECRETS[client_id])
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def register(catalog, caller, client_id="roster-dashboards", domain="roster", **body):
    return catalog.post("/api/v1/clients", headers=as_(catalog, caller),
                        json={"client_id": client_id, "domain": domain, **body})


def audit_actions(catalog, target):
    return [(e["actor"], e["action"]) for e in reversed(catalog.get("/api/v1/audit").json()) if target in e["target"]]


def test_a_domain_admin_registers_a_client_whose_secret_is_shown_once_and_stored_only_as_a_hash(catalog):
    created = register(catalog, "roster", owner="roster analytics team")

    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    assert created.headers["location"] == "/api/v1/clients/roster-dashboards"
    body = created.json()
    secret = body["client_secret"]
    assert len(secret) >= 40
    assert {k: body[k] for k in ("client_id", "domain", "kind", "enabled", "source", "registered_by")} == {
        "client_id": "roster-dashboards", "domain": "roster", "kind": "consumer", "enabled": True, "source": "api",
        "registered_by": "roster"}
    assert token_response(catalog, "roster-dashboards", secret).status_code == 200

    shown = catalog.get("/api/v1/clients/roster-dashboards", headers=as_(catalog, "roster"))
    listed = catalog.get("/api/v1/clients", headers=as_(catalog, "roster"))
    for response in (shown, listed):
        assert response.status_code == 200
        assert secret not in response.text and "secret" not in response.text and "argon2" not in response.text
    assert [c["client_id"] for c in listed.json()["items"]] == ["roster", "roster-dashboards"]
    with catalog.app.state.engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT secret_hash FROM oauth_clients WHERE client_id = 'roster-dashboards'")).scalar()
    assert stored.startswith("$argon2") and secret not in stored
    assert secret not in json.dumps(catalog.get("/api/v1/audit").json())
    assert audit_actions(catalog, "roster-dashboards") == [("roster", "client.registered")]


def test_a_consumer_client_holds_nothing_until_granted_and_a_service_client_acts_as_its_domain(catalog):
    consumer = register(catalog, "roster").json()
    service = register(catalog, "roster", client_id="roster-worker", kind="service").json()

    consumer_scope = token_response(catalog, consumer["client_id"], consumer["client_secret"]).json()["scope"]
    service_scope = token_response(catalog, service["client_id"], service["client_secret"]).json()["scope"].split()
    assert consumer_scope == ""
    assert {"write:roster", "admin:roster"} <= set(service_scope)


def test_rotating_the_secret_ends_the_old_one_at_once(catalog):
    old = register(catalog, "roster").json()["client_secret"]

    rotated = catalog.post("/api/v1/clients/roster-dashboards/secret", headers=as_(catalog, "roster"))

    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["client_secret"]
    assert new != old
    assert token_response(catalog, "roster-dashboards", old).status_code == 401
    assert token_response(catalog, "roster-dashboards", new).status_code == 200
    assert audit_actions(catalog, "roster-dashboards")[-1] == ("roster", "client.secret-rotated")


def test_a_disabled_client_gets_no_token_until_enabled_again(catalog):
    secret = register(catalog, "roster").json()["client_secret"]

    disabled = catalog.patch("/api/v1/clients/roster-dashboards", headers=as_(catalog, "roster"),
                             json={"enabled": False, "reason": "leaked in a notebook"})
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    assert token_response(catalog, "roster-dashboards", secret).status_code == 401

    catalog.patch("/api/v1/clients/roster-dashboards", headers=as_(catalog, "roster"), json={"enabled": True})
    assert token_response(catalog, "roster-dashboards", secret).status_code == 200
    assert audit_actions(catalog, "roster-dashboards")[-2:] == [("roster", "client.disabled"),
                                                                 ("roster", "client.enabled")]


def test_deleting_a_client_ends_its_tokens_and_revokes_its_grants(catalog_on_store, contract):
    catalog = catalog_on_store
    assert catalog.post("/api/v1/data-products", json={"contract": contract("roster", "fighters")},
                        headers=as_(catalog, "roster")).status_code == 201
    issued = register(catalog, "roster").json()
    reader = as_(catalog, "roster-dashboards", issued["client_secret"])
    request_id = catalog.post("/api/v1/access-requests", headers=reader, json={
        "domain": "roster", "product": "fighters", "major": 1, "purpose": "dashboards"}).json()["id"]
    catalog.post(f"/api/v1/access-requests/{request_id}/approve", headers=as_(catalog, "roster"))

    deleted = catalog.delete("/api/v1/clients/roster-dashboards", headers=as_(catalog, "roster"),
                             params={"reason": "dashboards retired"})

    assert deleted.status_code == 204
    assert token_response(catalog, "roster-dashboards", issued["client_secret"]).status_code == 401
    grants = catalog.get("/api/v1/grants", headers=as_(catalog, "roster")).json()
    assert [g for g in grants if g["client_id"] == "roster-dashboards"] == []
    assert catalog.get("/api/v1/clients/roster-dashboards", headers=as_(catalog, "roster")).status_code == 404
    assert audit_actions(catalog, "roster-dashboards")[-2:] == [("roster", "grant.revoked"),
                                                                 ("roster", "client.deleted")]


@pytest.mark.parametrize("caller", ["schedule", "analyst"])
def test_only_an_admin_of_the_domain_registers_or_manages_its_clients(catalog, caller):
    refused = register(catalog, caller, client_id="sneaky")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    register(catalog, "roster")
    headers = as_(catalog, caller)
    for response in (
        catalog.get("/api/v1/clients/roster-dashboards", headers=headers),
        catalog.post("/api/v1/clients/roster-dashboards/secret", headers=headers),
        catalog.patch("/api/v1/clients/roster-dashboards", headers=headers, json={"enabled": False}),
        catalog.delete("/api/v1/clients/roster-dashboards", headers=headers),
    ):
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert "roster-dashboards" not in catalog.get("/api/v1/clients", headers=headers).text


def test_the_catalog_admin_manages_every_client_and_the_files_clients_stay_the_files(catalog):
    register(catalog, "root", client_id="stats-notebook", domain="stats")
    listed = [c["client_id"] for c in catalog.get("/api/v1/clients", headers=as_(catalog, "root")).json()["items"]]
    assert listed == sorted(["analyst", "roster", "root", "schedule", "stats-notebook"])

    for response in (catalog.post("/api/v1/clients/analyst/secret", headers=as_(catalog, "root")),
                     catalog.delete("/api/v1/clients/roster", headers=as_(catalog, "root"))):
        assert response.status_code == 409, response.text
        assert "CATALOG_CLIENTS_FILE" in response.json()["detail"]
    assert token_response(catalog, "roster", SECRETS["roster"]).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"client_id": "Roster Dash", "domain": "roster"}, "client_id"),
    ({"client_id": "ok-client", "domain": "Roster!"}, "domain"),
    ({"client_id": "ok-client", "domain": "roster", "kind": "god"}, "kind"),
    ({"client_id": "ok-client", "domain": "roster", "client_secret": "mine"}, "client_secret"),
])
def test_a_bad_registration_is_a_problem_naming_the_field(catalog, body, field):
    response = catalog.post("/api/v1/clients", headers=as_(catalog, "roster"), json=body)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


def test_a_client_id_is_registered_once(catalog):
    assert register(catalog, "roster").status_code == 201
    again = register(catalog, "roster")
    assert again.status_code == 409 and "secret" not in again.text
    assert register(catalog, "roster", client_id="roster").status_code == 409
