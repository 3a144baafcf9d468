"""A product page shows each major's analytical snapshot figures, asked of the port with a HEAD and a read token."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest

from mesh_tools.testing.authority import test_authority

pytestmark = pytest.mark.integration

SHA = "9f" * 32


class RosterAnalyticalPort(BaseHTTPRequestHandler):
    """Stands in for roster's analytical port: verifies the bearer token against the catalog's JWKS, like a domain
    whose issuer is the catalog, and answers a HEAD with the figures of a snapshot."""

    catalog_url = ""
    seen: list[dict] = []

    def do_HEAD(self) -> None:
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        try:
            keys = jwt.PyJWKSet.from_dict(httpx.get(f"{self.catalog_url}/.well-known/jwks.json").json())
            claims = jwt.decode(token, keys.keys[0].key, algorithms=["EdDSA"], issuer=self.catalog_url,
                                options={"verify_aud": False})
        except (jwt.PyJWTError, IndexError):
            self._answer(401, {})
            return
        self.seen.append({"path": self.path, **claims})
        if claims.get("scope") != "read:roster.fighters.v1":
            self._answer(403, {})
            return
        self._answer(200, {"X-Snapshot-Time": "2026-11-30T10:00:00.123456Z", "X-Row-Count": "2396",
                           "X-Content-SHA256": SHA, "X-Contract-Version": "1.0.2"})

    def _answer(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def roster_service() -> Iterator[str]:
    RosterAnalyticalPort.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RosterAnalyticalPort)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_product_page_shows_snapshot_time_rows_and_hash_with_duckdb_pandas_and_polars_snippets(
    start_catalog, roster_service, contract, register
):
    catalog = start_catalog(CATALOG_SERVICE_URLS=f"roster={roster_service}")
    RosterAnalyticalPort.catalog_url = catalog.url
    operator = test_authority().bearer("test-operator", ["write:roster", "write:stats"])
    with httpx.Client(base_url=catalog.url, headers=operator) as client:
        assert register(client, contract("roster", "fighters")).status_code == 201
        assert register(client, contract("stats", "rankings")).status_code == 201
        page = client.get("/products/roster/fighters").text
        again = client.get("/products/roster/fighters").text
        other = client.get("/products/stats/rankings").text

    panel = page.split('id="analytical-v1"', 1)[1].split("</div>", 1)[0]
    assert "2026-11-30T10:00:00.123456Z" in panel and "2,396" in panel and SHA in panel
    assert f"{roster_service}/analytical/fighters/v1.parquet" in panel
    assert "read_parquet(&#39;" + f"{roster_service}/analytical/fighters/v1.parquet" in page
    assert "pd.read_parquet" in page and "pl.read_parquet" in page
    # The catalog asked once (figures are remembered), as itself, for that one read scope and no personal data.
    assert len(RosterAnalyticalPort.seen) == 1 and SHA in again
    asked = RosterAnalyticalPort.seen[0]
    assert (asked["path"], asked["sub"], asked["scope"]) == ("/analytical/fighters/v1.parquet", "catalog",
                                                             "read:roster.fighters.v1")
    assert asked["exp"] - asked["iat"] <= 60
    # stats' service is not in the catalog's configuration: nothing is fetched, the page says why.
    assert "CATALOG_SERVICE_URLS" in other.split('id="analytical-v1"', 1)[1] and len(RosterAnalyticalPort.seen) == 1


def test_a_port_that_refuses_or_is_down_leaves_a_reason_on_the_page_not_an_error(start_catalog, contract, register):
    catalog = start_catalog(CATALOG_SERVICE_URLS="roster=http://127.0.0.1:9")  # nothing listens on port 9
    operator = test_authority().bearer("test-operator", ["write:roster"])
    with httpx.Client(base_url=catalog.url, headers=operator) as client:
        assert register(client, contract("roster", "fighters")).status_code == 201
        response = client.get("/products/roster/fighters")

    assert response.status_code == 200
    assert "did not give its figures (unreachable" in response.text
