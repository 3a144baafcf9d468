"""The grants API pages (RFC 8288 ``Link: rel="next"``), so a reader of every grant (the Kafka ACL reconciler) never
acts on a truncated list; the catalog's admin sees every grant, a domain only those on its products."""

import json

import pytest
from fastapi.testclient import TestClient

from catalog.app import create_app

pytestmark = pytest.mark.integration

# Grants declared in the clients file, as `mesh up` gives its demo operator: 2 domains × (write + admin) + admin:catalog.
CLIENTS = [
    {"client_id": "roster", "secret": "roster-secret-0123456789-abcdef", "domain": "roster"},
    {"client_id": "holder", "secret": "holder-secret-0123456789-abcdef", "owner": "tests",
     "scopes": ["read:roster.fighters.v1", "read:schedule.bouts.v1", "read:schedule.event-cards.v1",
                "read:stats.rankings.v1", "read:stats.fighter-records.v1"]},
    {"client_id": "root", "secret": "root-secret-0123456789-abcdefghij", "owner": "ops", "scopes": ["admin:catalog"]},
]


@pytest.fixture
def catalog(tmp_path, catalog_settings_factory):
    (tmp_path / "clients.json").write_text(json.dumps({"clients": CLIENTS}))
    settings = catalog_settings_factory(tmp_path, None, MESH_OIDC_JWKS=None, MESH_OIDC_ISSUER=None,
                                        CATALOG_CLIENTS_FILE=str(tmp_path / "clients.json"))
    with TestClient(create_app(settings)) as client:
        yield client


def bearer(catalog, client_id):
    secret = next(c["secret"] for c in CLIENTS if c["client_id"] == client_id)
    token = catalog.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_every_grant_is_reached_by_following_the_next_links_and_nothing_twice(catalog):
    root = bearer(catalog, "root")
    seen, url, pages = [], "/api/v1/grants?limit=2", 0
    while url:
        response = catalog.get(url, headers=root)
        assert response.status_code == 200, response.text
        seen += [(g["client_id"], g["scope"]) for g in response.json()]
        url = response.links.get("next", {}).get("url")
        pages += 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 6
    assert {scope for client, scope in seen if client == "holder"} == set(CLIENTS[1]["scopes"])


def test_a_domain_sees_only_the_grants_on_its_own_products(catalog):
    scopes = {g["scope"] for g in catalog.get("/api/v1/grants", headers=bearer(catalog, "roster")).json()}
    assert scopes == {"read:roster.fighters.v1"}


def test_a_bad_cursor_or_limit_is_a_problem(catalog):
    root = bearer(catalog, "root")
    for query in ("limit=0", "limit=1001", "cursor=0", "cursor=abc"):
        response = catalog.get(f"/api/v1/grants?{query}", headers=root)
        assert response.status_code in (400, 422), query
        assert response.headers["content-type"].startswith("application/problem+json")
