"""Schedule's look-ups of fighters its replica has not seen yet travel over one kept-alive connection."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from schedule.adapters.roster_directory import RosterHttpDirectory

RECORD = {"fighter_id": "f-1", "name": "Ana Lima", "weight_class": "flyweight", "status": "active",
          "updated_at": "2026-12-01T10:00:00+00:00"}


class _Products(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive, as uvicorn does

    def do_GET(self) -> None:
        self.server.peers.add(self.client_address)  # type: ignore[attr-defined]
        body = json.dumps(RECORD).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def product_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Products)
    server.peers = set()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", server.peers  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def test_successive_lookups_reuse_one_connection_to_roster(product_server):
    url, peers = product_server
    directory = RosterHttpDirectory(url, None)
    try:
        found = [directory.find(f"f-{n}") for n in range(5)]
    finally:
        directory.close()

    assert all(answer is not None and answer[0].name == "Ana Lima" for answer in found)
    assert len(peers) == 1  # one client address (host, port): every look-up came over the same connection
