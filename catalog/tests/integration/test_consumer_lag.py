"""A product page shows how far each Kafka consumer group is behind, as the consuming service reports it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from mesh_tools.testing.authority import test_authority

pytestmark = pytest.mark.integration


class ScheduleReady(BaseHTTPRequestHandler):
    """Stands in for the schedule service: its /ready reports its subscription's lag per partition."""

    def do_GET(self) -> None:
        body = json.dumps({"status": "ready", "checks": {}, "pipeline": {"outbox": {"pending": 0}, "subscriptions": {
            "schedule": {"topics": ["roster.fighters.v1"], "state": "consuming", "lag": 42,
                         "lag_by_partition": {"roster.fighters.v1/0": 40, "roster.fighters.v1/2": 2}}}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def schedule_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScheduleReady)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_product_page_shows_each_consumer_groups_lag_and_unknown_when_its_service_is_not_known(
    start_catalog, schedule_service, contract, register
):
    catalog = start_catalog(CATALOG_SERVICE_URLS=f"schedule={schedule_service}")
    operator = test_authority().bearer("test-operator", ["write:roster", "write:schedule", "write:stats"])
    with httpx.Client(base_url=catalog.url, headers=operator) as client:
        assert register(client, contract("roster", "fighters")).status_code == 201
        for consumer in ("schedule", "stats"):
            assert client.post("/api/v1/consumers", json={"kind": "subscription", "consumer": consumer,
                                                          "domain": "roster", "product": "fighters", "major": 1}
                               ).status_code in (200, 201)
        page = client.get("/products/roster/fighters").text
    rows = {row.split("</td>")[0].rsplit(">", 1)[-1]: row for row in page.split("<tr>") if "Kafka consumer group" in row}
    assert "42 records behind" in rows["schedule"]
    assert "unknown" in rows["stats"]  # stats' service is not in the catalog's configuration: nothing is fetched
