"""Defect injection: the catalog served for real (uvicorn, its own SQLite store), a webhook subscriber, the roster
service in-process with its relay on the session's real broker and its quality monitor checking every second.

The contracts used here are the repository's (a copy under a temporary ``MESH_CONTRACTS_DIR``) with roster's
freshness target cut from one minute to a few seconds and stats' minutely ``name_null_share`` rule run every second,
so late data and a null spike show within the test's patience.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from openlineage.client.serde import Serde

from catalog.app import create_app as create_catalog
from catalog.settings import CatalogSettings
from mesh_platform.contracts import default_contracts_dir
from mesh_platform.contracts.documents import read_document
from mesh_tools.testing.authority import TEST_ISSUER, test_authority
from mesh_tools.testing.ports import free_port

FRESHNESS_SECONDS = 3
OPERATOR = test_authority().bearer("test-operator", ["write:roster", "write:schedule", "write:stats",
                                                    "admin:catalog"])
SUBSCRIBER = test_authority().bearer("stats", ["write:stats"])
ROSTER_TEAM = test_authority().bearer("roster", ["write:roster"])


class Subscriber:
    """A consumer team's webhook: a real HTTP server keeping every CloudEvent it receives, with when."""

    def __init__(self) -> None:
        received: list[tuple[float, dict[str, Any]]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append((time.monotonic(), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notifications"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def incident_opened(self, rule: str, since: float) -> float | None:
        """When the subscriber heard of an incident of ``rule`` after ``since`` (monotonic time), if it did."""
        for at, event in list(self.received):
            if (at >= since and event["type"] == "octagon.catalog.incident.opened.v1"
                    and event["data"]["incident"]["rule"] == rule):
                return at
        return None


class Catalog:
    def __init__(self, url: str) -> None:
        self.url = url

    def incidents(self, **params: Any) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/api/v1/incidents", params=params, timeout=10).json()["incidents"]

    def wait_resolved(self, incident_id: int, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            incident = httpx.get(f"{self.url}/api/v1/incidents/{incident_id}", timeout=10).json()
            if incident["status"] == "resolved":
                return incident
            time.sleep(0.2)
        raise AssertionError(f"incident {incident_id} did not resolve itself within {timeout:.0f} s: {incident}")

    def emitter(self, domain: str) -> Callable[[object], None]:
        """What a service's catalog link does with a quality run: POST it as OpenLineage, as the domain."""
        headers = test_authority().bearer(domain, [f"write:{domain}"])

        def emit(event: object) -> None:
            response = httpx.post(f"{self.url}/api/v1/lineage", json=Serde.to_dict(event), headers=headers, timeout=10)
            response.raise_for_status()

        return emit


@pytest.fixture(scope="session")
def contracts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("contracts") / "contracts"
    shutil.copytree(default_contracts_dir(), copy)
    path = copy / "roster" / "fighters.odcs.yaml"
    text = path.read_text(encoding="utf-8")
    before = "  - id: freshness\n    property: freshness\n    value: 1\n    unit: min\n"
    assert before in text, "the roster contract's freshness SLA moved: update the defect tests' copy"
    path.write_text(text.replace(before, before.replace("value: 1\n    unit: min", f"value: {FRESHNESS_SECONDS}\n    unit: s")),
                    encoding="utf-8")
    # stats' share of nameless records is judged every minute; here every second (a cron with seconds).
    path = copy / "stats" / "fighter-records.odcs.yaml"
    text = path.read_text(encoding="utf-8")
    before = '            schedule: "* * * * *"\n            scheduler: cron\n'
    assert before in text, "stats' name_null_share schedule moved: update the defect tests' copy"
    path.write_text(text.replace(before, before.replace('"* * * * *"', '"* * * * * *"')), encoding="utf-8")
    return copy


@pytest.fixture(scope="session")
def subscriber() -> Iterator[Subscriber]:
    found = Subscriber()
    yield found
    found.server.shutdown()


@pytest.fixture
def catalog(tmp_path_factory: pytest.TempPathFactory, contracts_dir: Path, subscriber: Subscriber) -> Iterator[Catalog]:
    """A fresh catalog per test (one incident per product and rule: each defect must open its own)."""
    run_dir = tmp_path_factory.mktemp("catalog")
    port = free_port()
    settings = CatalogSettings(**{
        "MESH_RUN_DIR": run_dir, "MESH_ENV": "test", "MESH_OIDC_ISSUER": TEST_ISSUER,
        "MESH_OIDC_JWKS": test_authority().jwks_json, "PORT": port,
        "CATALOG_INCIDENT_PASSES_TO_RESOLVE": 2, "CATALOG_NOTIFICATIONS_POLL_SECONDS": 0.2,
        "CATALOG_WEBHOOK_BACKOFF_SECONDS": 0})
    server = uvicorn.Server(uvicorn.Config(create_catalog(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the catalog did not start"
        time.sleep(0.05)
    # stats consumes roster's fighters and schedule's bouts, roster consumes stats' records (the reverse-ETL loop);
    # each consuming team listens on a webhook: it must hear of every incident of what it consumes.
    for domain, product, consumer_name, token in (("roster", "fighters", "stats", SUBSCRIBER),
                                                   ("schedule", "bouts", "stats", SUBSCRIBER),
                                                   ("stats", "fighter-records", "roster", ROSTER_TEAM)):
        path = contracts_dir / domain / f"{product}.odcs.yaml"
        document = read_document(path.read_text(encoding="utf-8"), path)
        registered = httpx.post(f"{url}/api/v1/data-products", json={"contract": document}, headers=OPERATOR)
        assert registered.status_code == 201, registered.text
        consumer = {"kind": "subscription", "consumer": consumer_name, "domain": domain, "product": product, "major": 1}
        assert httpx.post(f"{url}/api/v1/consumers", json=consumer, headers=token).status_code in (200, 201)
    for token in (SUBSCRIBER, ROSTER_TEAM):
        assert httpx.post(f"{url}/api/v1/webhooks", json={"url": subscriber.url}, headers=token).status_code == 201
    yield Catalog(url)
    server.should_exit = True
    thread.join(10)
