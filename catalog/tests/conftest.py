"""Fixtures of the catalog's tests: contracts of the repository, the catalog app in-process or as a real server."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from catalog.app import create_app
from catalog.settings import CatalogSettings
from mesh_platform.auth import ClientCredentials, OidcDiscovery
from mesh_platform.contracts.documents import read_document
from mesh_tools.testing.authority import TEST_ISSUER, test_authority
from mesh_tools.testing.ports import free_port

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"


@pytest.fixture
def contract() -> Callable[[str, str], dict[str, Any]]:
    """A fresh copy of the repository's contract of ``domain/product`` as a JSON-like document."""

    def load(domain: str, product: str) -> dict[str, Any]:
        path = CONTRACTS_DIR / domain / f"{product}.odcs.yaml"
        return copy.deepcopy(read_document(path.read_text(encoding="utf-8"), path))

    return load


@pytest.fixture
def all_contracts() -> list[dict[str, Any]]:
    """Every contract of the repository."""
    return [read_document(path.read_text(encoding="utf-8"), path) for path in sorted(CONTRACTS_DIR.glob("*/*.odcs.yaml"))]


# Tests speak as the domains (and as the catalog's admin for lineage of any namespace) with test-authority tokens.
OPERATOR_SCOPES = ["write:roster", "write:schedule", "write:results", "write:stats", "admin:catalog"]


def operator_headers() -> dict[str, str]:
    return test_authority().bearer("test-operator", OPERATOR_SCOPES)


def catalog_settings(run_dir: Path, database_url: str | None = None, **overrides: Any) -> CatalogSettings:
    values: dict[str, Any] = {"MESH_RUN_DIR": run_dir, "MESH_ENV": "test", "MESH_OIDC_ISSUER": TEST_ISSUER,
                              "MESH_OIDC_JWKS": test_authority().jwks_json, **overrides}
    if database_url:
        values["DATABASE_URL"] = database_url
    return CatalogSettings(**values)


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[TestClient]:
    """The catalog in-process over a SQLite file of its own."""
    with TestClient(create_app(catalog_settings(tmp_path)), headers=operator_headers()) as client:
        yield client


class CatalogServer:
    """The catalog served by uvicorn on a free port in a thread of the test process (real HTTP)."""

    def __init__(self, settings: CatalogSettings) -> None:
        self.settings = settings
        self.port = settings.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, name=f"catalog-{self.port}", daemon=True)

    def start(self) -> CatalogServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"the catalog did not start on {self.url}")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)


@pytest.fixture
def start_catalog(tmp_path: Path) -> Iterator[Callable[..., CatalogServer]]:
    """Starts catalog servers (stopped at the end of the test); each call may pass settings overrides."""
    started: list[CatalogServer] = []

    def start(port: int | None = None, **overrides: Any) -> CatalogServer:
        settings = catalog_settings(tmp_path, PORT=port or free_port(), **overrides)
        server = CatalogServer(settings).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


ISSUING_CLIENTS = [
    {"client_id": "roster", "secret": "roster-secret-for-tests-0123456789", "domain": "roster"},
    {"client_id": "schedule", "secret": "schedule-secret-for-tests-0123456789", "domain": "schedule"},
    {"client_id": "stats", "secret": "stats-secret-for-tests-0123456789", "domain": "stats"},
    {"client_id": "operator", "secret": "operator-secret-for-tests-0123456789", "owner": "tests",
     "scopes": ["write:roster", "write:schedule", "write:stats", "admin:catalog"]},
]


@pytest.fixture
def issuing_catalog(start_catalog: Callable[..., CatalogServer], tmp_path: Path) -> Callable[..., CatalogServer]:
    """Starts a catalog that is its own issuer (its key, its token endpoint) with the clients of ISSUING_CLIENTS."""
    clients_file = tmp_path / "clients.json"
    clients_file.write_text(json.dumps({"clients": ISSUING_CLIENTS}))

    def start(port: int | None = None) -> CatalogServer:
        return start_catalog(port=port, MESH_OIDC_JWKS=None, MESH_OIDC_ISSUER=None,
                             CATALOG_CLIENTS_FILE=str(clients_file))

    return start


def credentials_for(catalog_url: str, client_id: str) -> ClientCredentials:
    """A real client-credentials token source for a client of ISSUING_CLIENTS."""
    secret = next(c["secret"] for c in ISSUING_CLIENTS if c["client_id"] == client_id)
    return ClientCredentials(client_id, secret, discovery=OidcDiscovery(catalog_url))


@pytest.fixture(name="credentials_for", scope="session")
def credentials_for_fixture() -> Callable[[str, str], ClientCredentials]:
    return credentials_for


@pytest.fixture
def catalog_server(start_catalog: Callable[..., CatalogServer]) -> CatalogServer:
    """One running catalog server."""
    return start_catalog()


@pytest.fixture
def catalog_on_store(tmp_path: Path, store_url: str) -> Iterator[TestClient]:
    """The catalog in-process over each kind of store (SQLite file, then a fresh PostgreSQL database)."""
    with TestClient(create_app(catalog_settings(tmp_path, store_url)), headers=operator_headers()) as client:
        yield client


def register(client: TestClient | httpx.Client, document: dict[str, Any], service_url: str = "http://127.0.0.1:8001") -> httpx.Response:
    return client.post("/api/v1/data-products", json={"contract": document, "service_url": service_url},
                       headers=operator_headers())


def next_major(document: dict[str, Any], major: int) -> dict[str, Any]:
    """``document`` moved to a new major: version, HTTP port path, topic and event types follow."""
    moved = copy.deepcopy(document)
    old = int(str(document["version"]).split(".")[0])
    moved["version"] = f"{major}.0.0"
    for server in moved["servers"]:
        if server["type"] == "api":
            server["location"] = server["location"].replace(f"/v{old}", f"/v{major}")
        for prop in server.get("customProperties", []):
            if prop["property"] == "topic":
                prop["value"] = prop["value"].replace(f".v{old}", f".v{major}")
            if prop["property"] == "eventTypes":
                for item in prop["value"]:
                    item["type"] = item["type"].replace(f".v{old}", f".v{major}")
    return moved


@pytest.fixture(name="next_major", scope="session")
def next_major_fixture() -> Callable[[dict[str, Any], int], dict[str, Any]]:
    """:func:`next_major` for tests (test modules cannot import this conftest)."""
    return next_major


@pytest.fixture(name="register", scope="session")
def register_fixture() -> Callable[..., httpx.Response]:
    """:func:`register` for tests."""
    return register


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like ``store_url``, shared by the tests of one module (for read-only tests over a costly set-up)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'catalog.db'}"
        return
    from mesh_tools.testing.postgres import admin_url, create_database, drop_database

    url = create_database(admin_url())
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def module_catalog(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The catalog in-process over a store shared by one test module."""
    settings = catalog_settings(tmp_path_factory.mktemp("catalog"), module_store_url)
    with TestClient(create_app(settings), headers=operator_headers()) as client:
        yield client


@pytest.fixture(name="catalog_settings_factory", scope="session")
def catalog_settings_fixture() -> Callable[..., CatalogSettings]:
    """:func:`catalog_settings` for tests: ``(run_dir, database_url=None, **environment)``."""
    return catalog_settings
