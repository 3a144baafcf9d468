"""The identity attack table, against real services over real HTTP: a catalog that is the mesh's authorization
server and a roster that verifies its tokens offline from the catalog's JWKS (found by OIDC discovery) and
registers itself with its own client credentials — on SQLite and on PostgreSQL stores.

Every attack is refused with a problem+json 401/403 (and ``WWW-Authenticate``), and no personal data leaves
without its grant.
"""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
import semver
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from catalog.app import create_app as create_catalog
from catalog.settings import CatalogSettings
from mesh_platform.auth import ClientCredentials, OidcDiscovery
from mesh_platform.contracts.documents import read_document
from mesh_tools.testing.ports import free_port
from mesh_tools.testing.postgres import admin_url, create_database, drop_database
from roster.app import create_app as create_roster
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

FIGHTERS = "/data-products/fighters/v1"
CLIENTS = [
    {"client_id": "roster", "secret": "roster-secret-0123456789-abcdef", "domain": "roster"},
    {"client_id": "schedule", "secret": "schedule-secret-0123456789-abcdef", "domain": "schedule"},
    {"client_id": "desk", "secret": "desk-secret-0123456789-abcdef", "owner": "roster team", "scopes": ["write:roster"]},
    {"client_id": "intruder", "secret": "intruder-secret-0123456789-abcdef", "owner": "someone", "scopes": ["write:schedule"]},
    {"client_id": "analyst", "secret": "analyst-secret-0123456789-abcdef", "owner": "research"},
]
SECRETS = {c["client_id"]: c["secret"] for c in CLIENTS}
AMANDA = {"name": "Amanda Silva", "nickname": None, "date_of_birth": "1994-03-02", "nationality": "BR",
          "weight_class": "womens_bantamweight", "stance": "orthodox", "height_cm": 170, "reach_cm": 175}


class Served:
    """A FastAPI app served by uvicorn on a free port in a thread (real HTTP)."""

    def __init__(self, app, port: int) -> None:
        self.app = app
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.url} did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class Mesh:
    def __init__(self, catalog: Served, roster: Served) -> None:
        self.catalog, self.roster = catalog, roster
        self.key = catalog.app.state.access.key
        self.issuer = catalog.url

    def credentials(self, client_id: str) -> ClientCredentials:
        return ClientCredentials(client_id, SECRETS[client_id], discovery=OidcDiscovery(self.catalog.url))

    def bearer(self, client_id: str) -> dict[str, str]:
        return self.credentials(client_id).authorization()

    def signed(self, drop: tuple[str, ...] = (), key=None, algorithm="EdDSA", **claims) -> str:
        """A token signed with the catalog's own key (or ``key``), shaped by the test."""
        now = datetime.now(UTC)
        payload = {"iss": self.issuer, "aud": "octagon-mesh", "sub": "desk", "iat": now,
                   "exp": now + timedelta(minutes=5), "jti": uuid.uuid4().hex, "scope": "write:roster", **claims}
        for name in drop:
            payload.pop(name)
        headers = {"kid": self.key.kid}
        return jwt.encode(payload, key if key is not None else self.key.private_key, algorithm=algorithm,
                          headers=headers)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(request, tmp_path_factory) -> Iterator[str]:
    """Roster's store for the module's services: a SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('roster-store') / 'store.db'}"
        return
    url = create_database(admin_url())
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def mesh(store_url, tmp_path_factory) -> Iterator[Mesh]:
    """A catalog and a roster served once per store and shared by the module's attacks: every attack is a
    request that must be refused, so none changes what the next one meets (the grant lifecycle test revokes
    what it grants)."""
    tmp_path = tmp_path_factory.mktemp("identity")
    catalog_dir, roster_dir = tmp_path / "catalog", tmp_path / "roster"
    catalog_dir.mkdir()
    roster_dir.mkdir()
    (catalog_dir / "clients.json").write_text(json.dumps({"clients": CLIENTS}))
    catalog_port, roster_port = free_port(), free_port()
    # One store server, two services: the catalog gets a SQLite file of its own, roster the parametrised store.
    catalog = Served(create_catalog(CatalogSettings(
        run_dir=catalog_dir, environment="test", port=catalog_port, database_url=None,
        clients_file=catalog_dir / "clients.json", service_urls_setting=f"roster=http://127.0.0.1:{roster_port}",
    )), catalog_port)
    try:
        roster = Served(create_roster(RosterSettings(
            database_url=store_url, run_dir=roster_dir, port=roster_port, relay_enabled=False,
            subscriptions_enabled=False, catalog_enabled=True, catalog_url=catalog.url,
            client_id="roster", client_secret=SecretStr(SECRETS["roster"]),
        )), roster_port)
    except Exception:
        catalog.stop()
        raise
    running = Mesh(catalog, roster)
    deadline = time.monotonic() + 30
    while httpx.get(f"{catalog.url}/api/v1/data-products/roster/fighters").status_code != 200:
        assert time.monotonic() < deadline, "roster never registered with the catalog"
        time.sleep(0.2)
    yield running
    roster.stop()
    catalog.stop()


@pytest.fixture
def contract_document():
    """A fresh copy of the repository's contract of ``domain/product``."""

    def load(domain: str, product: str) -> dict:
        path = ROOT / "contracts" / domain / f"{product}.odcs.yaml"
        return read_document(path.read_text(encoding="utf-8"), path)

    return load


def refused(response: httpx.Response, status: int, error: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    if error:
        assert f'error="{error}"' in challenge


def register_fighter(mesh: Mesh, headers: dict[str, str], **extra_headers) -> httpx.Response:
    return httpx.post(f"{mesh.roster.url}/fighters", json=AMANDA, headers={**headers, **extra_headers})


# writes, reads, registrations, lineage, consumers: anonymous and with the wrong scope ------------------------------

def test_anonymous_and_wrong_scope_writes_are_refused(mesh):
    refused(httpx.post(f"{mesh.roster.url}/fighters", json=AMANDA), 401)
    refused(register_fighter(mesh, mesh.bearer("intruder")), 403, "insufficient_scope")
    refused(register_fighter(mesh, mesh.bearer("schedule")), 403, "insufficient_scope")
    assert register_fighter(mesh, mesh.bearer("desk")).status_code == 201


def test_anonymous_and_ungranted_reads_are_refused(mesh):
    refused(httpx.get(f"{mesh.roster.url}{FIGHTERS}"), 401)
    refused(httpx.get(f"{mesh.roster.url}{FIGHTERS}", headers=mesh.bearer("analyst")), 403, "insufficient_scope")
    refused(httpx.get(f"{mesh.roster.url}{FIGHTERS}", headers=mesh.bearer("desk")), 403, "insufficient_scope")


def test_registrations_lineage_and_consumers_of_another_domain_are_refused(mesh, contract_document):
    catalog = mesh.catalog.url
    document = contract_document("roster", "fighters")
    bumped = str(semver.Version.parse(document["version"]).bump_minor())  # a bump the owner did not make
    document["version"] = bumped
    for headers, status in (({}, 401), (mesh.bearer("schedule"), 403), (mesh.bearer("analyst"), 403)):
        response = httpx.post(f"{catalog}/api/v1/data-products", json={"contract": document}, headers=headers)
        assert response.status_code == status
    product = httpx.get(f"{catalog}/api/v1/data-products/roster/fighters").json()
    assert all(v["version"] != bumped for v in product["versions"])
    forged_run = {"eventType": "COMPLETE", "eventTime": datetime.now(UTC).isoformat(), "producer": "mallory",
                  "run": {"runId": str(uuid.uuid4())}, "job": {"namespace": "octagon.roster", "name": "derive.x"},
                  "inputs": [], "outputs": [{"namespace": "octagon.roster", "name": "fighters.v1"}]}
    assert httpx.post(f"{catalog}/api/v1/lineage", json=forged_run).status_code == 401
    assert httpx.post(f"{catalog}/api/v1/lineage", json=forged_run, headers=mesh.bearer("schedule")).status_code == 403
    group = {"kind": "subscription", "consumer": "roster", "domain": "roster", "product": "fighters", "major": 1}
    assert httpx.post(f"{catalog}/api/v1/consumers", json=group).status_code == 401
    assert httpx.post(f"{catalog}/api/v1/consumers", json=group, headers=mesh.bearer("schedule")).status_code == 403


# tokens that must never pass ---------------------------------------------------------------------------------------

def _forgeries(mesh: Mesh) -> dict[str, str]:
    valid = mesh.signed()
    header, payload, signature = valid.split(".")
    escalated = jwt.utils.base64url_encode(json.dumps({
        **json.loads(jwt.utils.base64url_decode(payload)), "scope": "write:roster admin:roster"}).encode()).decode()
    public_x = mesh.key.public_jwk["x"]
    stranger = Ed25519PrivateKey.generate()
    return {
        "tampered": f"{header}.{escalated}.{signature}",
        "expired": mesh.signed(exp=datetime.now(UTC) - timedelta(minutes=10), iat=datetime.now(UTC) - timedelta(minutes=15)),
        "without exp": mesh.signed(drop=("exp",)),
        "without sub": mesh.signed(drop=("sub",)),
        "without aud": mesh.signed(drop=("aud",)),
        "for another audience": mesh.signed(aud="another-mesh"),
        "from another issuer": mesh.signed(iss="https://evil.example"),
        "signed by another key": mesh.signed(key=stranger),
        "alg none": jwt.encode({"iss": mesh.issuer, "aud": "octagon-mesh", "sub": "desk", "iat": 1,
                                "exp": 4102444800, "scope": "write:roster"}, None, algorithm="none"),
        "HS256 keyed with the public key": mesh.signed(key=public_x, algorithm="HS256"),
    }


@pytest.mark.parametrize("forgery", ["tampered", "expired", "without exp", "without sub", "without aud",
                                     "for another audience", "from another issuer", "signed by another key",
                                     "alg none", "HS256 keyed with the public key"])
def test_forged_and_incomplete_tokens_are_refused_everywhere(mesh, forgery):
    token = _forgeries(mesh)[forgery]
    headers = {"Authorization": f"Bearer {token}"}
    refused(register_fighter(mesh, headers), 401, "invalid_token")
    refused(httpx.get(f"{mesh.roster.url}{FIGHTERS}", headers=headers), 401, "invalid_token")
    response = httpx.post(f"{mesh.catalog.url}/api/v1/consumers", headers=headers, json={
        "kind": "http", "consumer": "x", "domain": "roster", "product": "fighters", "major": 1})
    refused(response, 401, "invalid_token")


def test_a_signed_token_without_sub_is_a_401_never_a_500(mesh):
    for subject in (None, "", 42):
        token = mesh.signed(drop=("sub",)) if subject is None else mesh.signed(sub=subject)
        refused(httpx.get(f"{mesh.roster.url}{FIGHTERS}", headers={"Authorization": f"Bearer {token}"}), 401)


# escalation, theft, SSRF ---------------------------------------------------------------------------------------------

def test_scopes_cannot_be_escalated(mesh):
    asked = httpx.post(f"{mesh.catalog.url}/oauth2/token", auth=("analyst", SECRETS["analyst"]),
                       data={"grant_type": "client_credentials", "scope": "write:roster read:roster.fighters.v1"})
    assert asked.status_code == 400 and asked.json()["error"] == "invalid_scope"
    wildcard = httpx.post(f"{mesh.catalog.url}/oauth2/token", auth=("analyst", SECRETS["analyst"]),
                          data={"grant_type": "client_credentials", "scope": "*"})
    assert wildcard.status_code == 400
    filed = httpx.post(f"{mesh.catalog.url}/api/v1/access-requests", headers=mesh.bearer("analyst"), json={
        "domain": "roster", "product": "fighters", "major": 1, "pii": True, "purpose": "self-service"}).json()
    own_approval = httpx.post(f"{mesh.catalog.url}/api/v1/access-requests/{filed['id']}/approve",
                              headers=mesh.bearer("analyst"))
    assert own_approval.status_code == 403
    other_domain = httpx.post(f"{mesh.catalog.url}/api/v1/access-requests/{filed['id']}/approve",
                              headers=mesh.bearer("schedule"))
    assert other_domain.status_code == 403
    refused(httpx.get(f"{mesh.roster.url}{FIGHTERS}", headers=mesh.bearer("analyst")), 403)


def test_an_idempotency_key_cannot_be_stolen(mesh):
    first = register_fighter(mesh, mesh.bearer("desk"), **{"Idempotency-Key": "theft-1"})
    assert first.status_code == 201
    for thief in ("roster", "intruder"):
        stolen = register_fighter(mesh, mesh.bearer(thief), **{"Idempotency-Key": "theft-1"})
        assert stolen.status_code in (403, 409)
        assert first.json()["fighter_id"] not in stolen.text and "1994-03-02" not in stolen.text


class _Listener(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_catalog_never_fetches_a_registered_service_url(mesh, contract_document):
    _Listener.hits = []
    listener = ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    planted = f"http://127.0.0.1:{listener.server_port}/internal"
    try:
        document = contract_document("roster", "fighters")
        document["version"] = str(semver.Version.parse(document["version"]).bump_patch())
        registered = httpx.post(f"{mesh.catalog.url}/api/v1/data-products", headers=mesh.bearer("roster"),
                                json={"contract": document, "service_url": planted})
        assert registered.status_code in (200, 201), registered.text
        page = httpx.get(f"{mesh.catalog.url}/products/roster/fighters")
    finally:
        listener.shutdown()
    assert page.status_code == 200
    assert _Listener.hits == []
    assert planted not in page.text
    assert f"{mesh.roster.url}/data-products/fighters/v1" in page.text  # the configured URL in the curl line


# personal data and the grant lifecycle ------------------------------------------------------------------------------

def test_access_request_approve_read_revoke_and_personal_data_only_with_its_grant(mesh):
    created = register_fighter(mesh, mesh.bearer("desk"))
    fighter_id = created.json()["fighter_id"]
    assert created.json()["date_of_birth"] is None  # the command reply is masked too

    catalog, analyst = mesh.catalog.url, mesh.credentials("analyst")
    read_only = httpx.post(f"{catalog}/api/v1/access-requests", auth=analyst, json={
        "domain": "roster", "product": "fighters", "major": 1, "purpose": "fight analytics"}).json()
    httpx.post(f"{catalog}/api/v1/access-requests/{read_only['id']}/approve", headers=mesh.bearer("roster"),
               json={"reason": "standard analytics"}).raise_for_status()
    analyst.invalidate()  # the next token carries the grant

    listed = httpx.get(f"{mesh.roster.url}{FIGHTERS}", auth=analyst)
    assert listed.status_code == 200
    assert {item["date_of_birth"] for item in listed.json()["items"]} == {None}
    item = httpx.get(f"{mesh.roster.url}{FIGHTERS}/{fighter_id}", auth=analyst).json()
    assert item["date_of_birth"] is None and "1994-03-02" not in listed.text

    with_pii = httpx.post(f"{catalog}/api/v1/access-requests", auth=analyst, json={
        "domain": "roster", "product": "fighters", "major": 1, "pii": True, "purpose": "age curves"}).json()
    httpx.post(f"{catalog}/api/v1/access-requests/{with_pii['id']}/approve",
               headers=mesh.bearer("roster")).raise_for_status()
    analyst.invalidate()
    assert httpx.get(f"{mesh.roster.url}{FIGHTERS}/{fighter_id}", auth=analyst).json()["date_of_birth"] == "1994-03-02"

    grants = httpx.get(f"{catalog}/api/v1/grants", headers=mesh.bearer("roster")).json()
    for grant in grants:
        if grant["client_id"] == "analyst":
            httpx.post(f"{catalog}/api/v1/grants/{grant['id']}/revoke", headers=mesh.bearer("roster"),
                       json={"reason": "project over"}).raise_for_status()
    fresh = mesh.credentials("analyst").authorization()
    refused(httpx.get(f"{mesh.roster.url}{FIGHTERS}", headers=fresh), 403, "insufficient_scope")

    actions = [(e["actor"], e["action"]) for e in httpx.get(f"{catalog}/api/v1/audit").json()]
    assert ("roster", "access.approved") in actions and ("roster", "grant.revoked") in actions
    assert ("analyst", "access.requested") in actions


def test_no_catalog_page_or_reply_carries_personal_data(mesh):
    register_fighter(mesh, mesh.bearer("desk"))
    for path in ("/", "/products/roster/fighters", "/governance", "/api/v1/data-products/roster/fighters",
                 "/api/v1/audit"):
        assert "1994-03-02" not in httpx.get(mesh.catalog.url + path).text, path
