"""The client-registration attack table, against a real catalog over HTTP: nobody registers, sees, rotates, disables
or deletes a client without administering its domain; a secret is never shown again after its creation; a deleted
or disabled client gets no token."""

import uuid

import httpx
import pytest

pytestmark = pytest.mark.integration

CLIENTS = [
    {"client_id": "roster", "secret": "roster-secret-0123456789-abcdef", "domain": "roster"},
    {"client_id": "schedule", "secret": "schedule-secret-0123456789-abcdef", "domain": "schedule"},
    {"client_id": "writer", "secret": "writer-secret-0123456789-abcdef", "owner": "desk", "scopes": ["write:roster"]},
    {"client_id": "reader", "secret": "reader-secret-0123456789-abcdef", "owner": "research"},
]


@pytest.fixture
def catalog(serve_catalog):
    return serve_catalog(CLIENTS)


def refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def token_status(catalog, client_id: str, secret: str) -> int:
    return httpx.post(f"{catalog.url}/oauth2/token", data={"grant_type": "client_credentials"},
                      auth=(client_id, secret)).status_code


def registered(catalog, client_id: str = "roster-dashboards") -> dict:
    response = httpx.post(f"{catalog.url}/api/v1/clients", auth=catalog.auth("roster"),
                          json={"client_id": client_id, "domain": "roster"})
    assert response.status_code == 201, response.text
    return response.json()


CALLS = [
    ("post", "/api/v1/clients", {"client_id": "forged-client", "domain": "roster"}),
    ("get", "/api/v1/clients", None),
    ("get", "/api/v1/clients/roster-dashboards", None),
    ("post", "/api/v1/clients/roster-dashboards/secret", None),
    ("patch", "/api/v1/clients/roster-dashboards", {"enabled": False}),
    ("delete", "/api/v1/clients/roster-dashboards", None),
]


def test_anonymous_and_forged_tokens_manage_no_client(catalog):
    registered(catalog)
    for method, path, body in CALLS:
        for headers in ({}, {"Authorization": "Bearer not.a.token"}):
            refused(httpx.request(method, catalog.url + path, json=body, headers=headers), 401)
    assert token_status(catalog, "forged-client", "anything") == 401


def test_without_admin_of_the_clients_domain_nothing_is_managed(catalog):
    issued = registered(catalog)
    # writer holds write:roster (not admin), reader holds nothing, schedule administers another domain.
    for attacker in ("writer", "reader", "schedule"):
        for method, path, body in CALLS:
            if path == "/api/v1/clients" and method == "get":
                listed = httpx.get(catalog.url + path, auth=catalog.auth(attacker))
                assert listed.status_code == 200 and "roster-dashboards" not in listed.text
                continue
            refused(httpx.request(method, catalog.url + path, json=body, auth=catalog.auth(attacker)), 403)
    assert token_status(catalog, "roster-dashboards", issued["client_secret"]) == 200  # untouched
    assert token_status(catalog, "forged-client", "anything") == 401


def test_a_domain_admin_cannot_register_a_client_that_acts_as_another_domain(catalog):
    refused(httpx.post(f"{catalog.url}/api/v1/clients", auth=catalog.auth("schedule"),
                       json={"client_id": "roster-impostor", "domain": "roster", "kind": "service"}), 403)
    assert token_status(catalog, "roster-impostor", "anything") == 401


def test_the_secret_is_never_shown_after_its_creation(catalog):
    issued = registered(catalog)
    secret = issued["client_secret"]
    owner = catalog.auth("roster")

    pages = [httpx.get(f"{catalog.url}/api/v1/clients", auth=owner),
             httpx.get(f"{catalog.url}/api/v1/clients/roster-dashboards", auth=owner),
             httpx.patch(f"{catalog.url}/api/v1/clients/roster-dashboards", auth=owner, json={"enabled": True}),
             httpx.post(f"{catalog.url}/api/v1/clients", auth=owner,
                        json={"client_id": "roster-dashboards", "domain": "roster"}),  # a second registration
             httpx.get(f"{catalog.url}/api/v1/audit"),
             httpx.get(f"{catalog.url}/openapi.json"),
             httpx.get(f"{catalog.url}/access")]
    for page in pages:
        assert secret not in page.text, page.request.url
    assert "client_secret" not in pages[0].text and "secret_hash" not in pages[1].text


def test_a_deleted_or_disabled_client_gets_no_token(catalog):
    kept, gone = registered(catalog, "roster-kept"), registered(catalog, f"roster-gone-{uuid.uuid4().hex[:4]}")
    owner = catalog.auth("roster")

    httpx.patch(f"{catalog.url}/api/v1/clients/roster-kept", auth=owner, json={"enabled": False})
    assert httpx.delete(f"{catalog.url}/api/v1/clients/{gone['client_id']}", auth=owner).status_code == 204

    assert token_status(catalog, "roster-kept", kept["client_secret"]) == 401
    assert token_status(catalog, gone["client_id"], gone["client_secret"]) == 401
    # Registering the deleted id again gives a new secret: the old one never comes back.
    again = registered(catalog, gone["client_id"])
    assert token_status(catalog, gone["client_id"], gone["client_secret"]) == 401
    assert token_status(catalog, gone["client_id"], again["client_secret"]) == 200
