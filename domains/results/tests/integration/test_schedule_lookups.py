"""Results' look-ups of bouts its replica has not seen yet travel over one kept-alive connection."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from results.adapters.schedule_directory import ScheduleHttpDirectory

RECORD = {"bout_id": "b-1", "card_id": "c-1", "card_date": "2026-12-20", "red_fighter_id": "f-1",
          "blue_fighter_id": "f-2", "weight_class": "flyweight", "scheduled_rounds": 3, "status": "scheduled",
          "title_bout": False, "main_event": False, "order_on_card": 1,
          "scheduled_at": "2026-12-01T10:00:00+00:00", "updated_at": "2026-12-01T10:00:00+00:00"}


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


def test_successive_lookups_reuse_one_connection_to_schedule(product_server):
    url, peers = product_server
    directory = ScheduleHttpDirectory(url, None)
    try:
        found = [directory.find(f"b-{n}") for n in range(5)]
    finally:
        directory.close()

    assert all(answer is not None and answer[0].bout_id == "b-1" for answer in found)
    assert len(peers) == 1  # one client address (host, port): every look-up came over the same connection
