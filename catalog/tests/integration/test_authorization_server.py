"""The catalog as the mesh's authorization server: discovery, JWKS, client credentials, access requests that grant,
revocation that takes effect on the next token, an audit log of every step, and registrations owned by domains."""

import base64
import json
import stat

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from catalog.app import create_app

pytestmark = pytest.mark.integration

CLIENTS = [
    {"client_id": "roster", "secret": "roster-secret-0123456789-abcdef", "domain": "roster"},
    {"client_id": "schedule", "secret": "schedule-secret-0123456789-abcdef", "domain": "schedule"},
    {"client_id": "analyst", "secret": "analyst-secret-0123456789-abcdef", "owner": "research"},
]
SECRETS = {c["client_id"]: c["secret"] for c in CLIENTS}


@pytest.fixture
def catalog(tmp_path, store_url, catalog_settings_factory):
    clients = tmp_path / "clients.json"
    clients.write_text(json.dumps({"clients": CLIENTS}))
    settings = catalog_settings_factory(tmp_path, store_url, MESH_OIDC_JWKS=None, MESH_OIDC_ISSUER=None,
                                        CATALOG_CLIENTS_FILE=str(clients))
    with TestClient(create_app(settings)) as client:
        yield client


def token_response(catalog, client_id, secret=None, **form):
    basic = base64.b64encode(f"{client_id}:{secret or SECRETS[client_id]}".encode()).decode()
    return catalog.post("/oauth2/token", data={"grant_type": "client_credentials", **form},
                        headers={"Authorization": f"Basic {basic}"})


def token(catalog, client_id):
    response = token_response(catalog, client_id)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def as_(catalog, client_id):
    return {"Authorization": f"Bearer {token(catalog, client_id)}"}


def claims(catalog, access_token):
    keys = jwt.PyJWKSet.from_dict(catalog.get("/.well-known/jwks.json").json())
    issuer = catalog.get("/.well-known/openid-configuration").json()["issuer"]
    return jwt.decode(access_token, keys.keys[0].key, algorithms=["EdDSA"], audience="octagon-mesh", issuer=issuer)


def register_fighters(catalog, contract):
    response = catalog.post("/api/v1/data-products", json={"contract": contract("roster", "fighters")},
                            headers=as_(catalog, "roster"))
    assert response.status_code == 201, response.text


def test_discovery_names_the_keys_and_the_token_endpoint_and_the_keys_are_public_only(catalog):
    document = catalog.get("/.well-known/openid-configuration").json()
    assert document["jwks_uri"] == document["issuer"] + "/.well-known/jwks.json"
    assert document["token_endpoint"] == document["issuer"] + "/oauth2/token"
    assert document["grant_types_supported"] == ["client_credentials"]
    [key] = catalog.get("/.well-known/jwks.json").json()["keys"]
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert "d" not in key


def test_a_service_client_gets_a_short_lived_signed_token_of_its_own_domain(catalog):
    response = token_response(catalog, "roster")
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    granted = claims(catalog, body["access_token"])
    assert granted["sub"] == "roster" and granted["exp"] - granted["iat"] == 300 and granted["jti"]
    assert set(granted["scope"].split()) == {"write:roster", "admin:roster"}


def test_client_secret_post_works_too_and_a_narrower_scope_can_be_asked_for(catalog):
    response = catalog.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": "roster",
                                                   "client_secret": SECRETS["roster"], "scope": "write:roster"})
    assert response.status_code == 200
    assert response.json()["scope"] == "write:roster"


@pytest.mark.parametrize("case, expected_status, expected_error", [
    ("wrong secret", 401, "invalid_client"),
    ("unknown client", 401, "invalid_client"),
    ("another grant type", 400, "unsupported_grant_type"),
    ("a scope it does not hold", 400, "invalid_scope"),
])
def test_token_requests_are_refused_as_rfc_6749_says(catalog, case, expected_status, expected_error):
    if case == "wrong secret":
        response = token_response(catalog, "roster", secret="guess")
    elif case == "unknown client":
        response = token_response(catalog, "mallory", secret="guess")
    elif case == "another grant type":
        response = token_response(catalog, "roster", grant_type="password")
    else:
        response = token_response(catalog, "analyst", scope="admin:roster")
    assert response.status_code == expected_status
    assert response.json()["error"] == expected_error
    if expected_status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_secrets_are_stored_only_as_argon2_hashes_and_the_key_file_is_private(catalog, tmp_path):
    with catalog.app.state.engine.connect() as connection:
        hashes = connection.execute(text("SELECT secret_hash FROM oauth_clients")).scalars().all()
    assert len(hashes) == 3 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(secret in h for h in hashes for secret in SECRETS.values())
    key_file = tmp_path / "catalog-signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_access_request_approved_by_the_owner_grants_and_revocation_ends_it(catalog, contract):
    register_fighters(catalog, contract)
    analyst = as_(catalog, "analyst")
    filed = catalog.post("/api/v1/access-requests", headers=analyst, json={
        "domain": "roster", "product": "fighters", "major": 1, "pii": True, "purpose": "age curves of champions"})
    assert filed.status_code == 201 and filed.json()["status"] == "pending"
    assert "read:roster.fighters.v1" not in claims(catalog, token(catalog, "analyst"))["scope"]
    request_id = filed.json()["id"]

    not_owner = catalog.post(f"/api/v1/access-requests/{request_id}/approve", headers=as_(catalog, "schedule"))
    assert not_owner.status_code == 403
    self_approval = catalog.post(f"/api/v1/access-requests/{request_id}/approve", headers=analyst)
    assert self_approval.status_code == 403
    approved = catalog.post(f"/api/v1/access-requests/{request_id}/approve", headers=as_(catalog, "roster"),
                            json={"reason": "research agreement 12"})
    assert approved.status_code == 200 and approved.json()["decided_by"] == "roster"
    scopes = claims(catalog, token(catalog, "analyst"))["scope"].split()
    assert {"read:roster.fighters.v1", "pii:roster.fighters"} <= set(scopes)

    grants = catalog.get("/api/v1/grants", headers=as_(catalog, "roster")).json()
    pii_grant = next(g for g in grants if g["scope"] == "pii:roster.fighters")
    revoked = catalog.post(f"/api/v1/grants/{pii_grant['id']}/revoke", headers=as_(catalog, "roster"),
                           json={"reason": "agreement ended"})
    assert revoked.status_code == 200
    scopes = claims(catalog, token(catalog, "analyst"))["scope"].split()
    assert "pii:roster.fighters" not in scopes and "read:roster.fighters.v1" in scopes

    audit = catalog.get("/api/v1/audit").json()
    steps = [(entry["actor"], entry["action"], entry["reason"]) for entry in reversed(audit)
             if entry["action"].startswith(("access.", "grant.revoked"))]
    assert steps == [("analyst", "access.requested", "age curves of champions"),
                     ("roster", "access.approved", "research agreement 12"),
                     ("roster", "grant.revoked", "agreement ended")]


def test_the_audit_log_refuses_updates_and_deletes_in_the_store_itself(catalog, contract):
    register_fighters(catalog, contract)
    with catalog.app.state.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0
    for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), catalog.app.state.engine.begin() as connection:
            connection.execute(text(statement))


def test_a_denied_request_grants_nothing(catalog, contract):
    register_fighters(catalog, contract)
    filed = catalog.post("/api/v1/access-requests", headers=as_(catalog, "analyst"), json={
        "domain": "roster", "product": "fighters", "major": 1, "purpose": "curiosity"}).json()
    denied = catalog.post(f"/api/v1/access-requests/{filed['id']}/deny", headers=as_(catalog, "roster"),
                          json={"reason": "no purpose we support"})
    assert denied.json()["status"] == "denied"
    assert "read:roster.fighters.v1" not in claims(catalog, token(catalog, "analyst"))["scope"]
    again = catalog.post(f"/api/v1/access-requests/{filed['id']}/approve", headers=as_(catalog, "roster"))
    assert again.status_code == 409


def test_access_to_an_unknown_product_cannot_be_requested(catalog):
    response = catalog.post("/api/v1/access-requests", headers=as_(catalog, "analyst"), json={
        "domain": "roster", "product": "fighters", "major": 7, "purpose": "x"})
    assert response.status_code == 404


def test_only_the_domain_a_contract_names_registers_it(catalog, contract):
    body = {"contract": contract("roster", "fighters")}
    assert catalog.post("/api/v1/data-products", json=body).status_code == 401
    stranger = catalog.post("/api/v1/data-products", json=body, headers=as_(catalog, "schedule"))
    assert stranger.status_code == 403 and "write:roster" in stranger.json()["detail"]
    assert catalog.get("/api/v1/data-products/roster/fighters").status_code == 404


def test_consumers_are_reported_only_by_the_domain_that_owns_them(catalog, contract):
    register_fighters(catalog, contract)
    group = {"kind": "subscription", "consumer": "schedule", "domain": "roster", "product": "fighters", "major": 1}
    assert catalog.post("/api/v1/consumers", json=group).status_code == 401
    assert catalog.post("/api/v1/consumers", json=group, headers=as_(catalog, "roster")).status_code == 403
    assert catalog.post("/api/v1/consumers", json=group, headers=as_(catalog, "schedule")).status_code == 201
    reader = {"kind": "http", "consumer": "analyst", "domain": "roster", "product": "fighters", "major": 1}
    assert catalog.post("/api/v1/consumers", json=reader, headers=as_(catalog, "schedule")).status_code == 403
    assert catalog.post("/api/v1/consumers", json=reader, headers=as_(catalog, "roster")).status_code == 201
