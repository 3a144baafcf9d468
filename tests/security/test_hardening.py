"""Attacks on the HTTP edge of real services (roster and the catalog, on SQLite and PostgreSQL): each is refused
with a clear problem, never a 5xx, and an internal failure discloses nothing but a correlation id.
"""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from catalog.app import create_app as create_catalog
from catalog.settings import CatalogSettings
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.service import bearer, trusting_test_authority
from roster.app import create_app as create_roster
from roster.settings import RosterSettings

pytestmark = pytest.mark.integration

PROBLEM = "urn:problem-type:octagon-mesh:"
MAX_BODY = 8 * 1024
FIGHTERS = "/data-products/fighters/v1"
WRITER = test_authority().bearer("roster-desk", ["write:roster"])


def roster_settings(store_url, tmp_path, **overrides):
    return RosterSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False, subscriptions_enabled=False,
                          max_body_bytes=MAX_BODY, max_json_depth=32, **trusting_test_authority(), **overrides)


@pytest.fixture
def settings(store_url, tmp_path):
    return roster_settings(store_url, tmp_path)


@pytest.fixture
def roster(settings):
    with TestClient(create_roster(settings)) as client:
        yield client


@pytest.fixture
def catalog(store_url, tmp_path):
    settings = CatalogSettings(database_url=store_url, run_dir=tmp_path, environment="test",
                               max_body_bytes=MAX_BODY, max_json_depth=32)
    with TestClient(create_catalog(settings)) as client:
        yield client


def fighter(number: int) -> dict:
    return {"name": f"Fighter {number}", "nickname": None, "date_of_birth": "1990-01-01", "nationality": "BR",
            "weight_class": "lightweight", "stance": "orthodox", "height_cm": 175, "reach_cm": 180}


def deep_json(depth: int) -> bytes:
    return b'{"name":' * depth + b'"x"' + b"}" * depth


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == PROBLEM + kind
    return problem


# --- body size -------------------------------------------------------------------------------------------------

def test_oversized_command_body_is_refused_with_413_naming_the_limit(roster):
    padded = {**fighter(1), "nickname": "x" * (MAX_BODY + 1)}
    problem = assert_problem(roster.post("/fighters", json=padded, headers=WRITER), 413, "body-too-large")
    assert problem["max_bytes"] == MAX_BODY and str(MAX_BODY) in problem["detail"]


def test_oversized_streamed_body_without_content_length_is_refused_too(roster):
    def chunks():
        yield b'{"name": "'
        for _ in range(MAX_BODY // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    response = roster.post("/fighters", content=chunks(), headers={**WRITER, "content-type": "application/json"})
    assert "content-length" not in {name.lower() for name in response.request.headers}
    assert_problem(response, 413, "body-too-large")


def test_oversized_body_is_refused_before_authentication(roster):
    assert_problem(roster.post("/fighters", content=b"x" * (MAX_BODY + 1)), 413, "body-too-large")


def test_oversized_lineage_and_registration_bodies_are_refused_by_the_catalog(catalog):
    big = b'{"eventType": "START", "padding": "' + b"x" * MAX_BODY + b'"}'
    for path in ("/api/v1/lineage", "/api/v1/data-products"):
        response = catalog.post(path, content=big, headers={"content-type": "application/json"})
        assert_problem(response, 413, "body-too-large")
    assert catalog.get("/health").status_code == 200


# --- JSON depth ------------------------------------------------------------------------------------------------

def test_deeply_nested_command_body_is_a_400_problem(roster):
    problem = assert_problem(
        roster.post("/fighters", content=deep_json(800), headers={**WRITER, "content-type": "application/json"}),
        400, "json-too-deep",
    )
    assert problem["max_depth"] == 32
    assert problem["errors"] == [{"field": "body", "reason": "nested too deeply"}]


def test_deeply_nested_lineage_event_is_a_400_problem_and_the_catalog_stays_healthy(catalog):
    event = b'{"eventType": "START", "run": {"facets": ' + b"[" * 3000 + b"]" * 3000 + b"}}"
    assert len(event) < MAX_BODY  # refused for its depth, not its size
    response = catalog.post("/api/v1/lineage", content=event, headers={"content-type": "application/json"})
    assert_problem(response, 400, "json-too-deep")
    assert catalog.get("/health").json() == {"status": "ok"}


def test_a_body_within_both_limits_still_works(roster):
    response = roster.post("/fighters", json=fighter(1), headers=WRITER)
    assert response.status_code == 201, response.text


# --- cursors ---------------------------------------------------------------------------------------------------

@pytest.fixture
def three_fighters(roster):
    for number in range(3):
        assert roster.post("/fighters", json=fighter(number), headers=WRITER).status_code == 201


def test_pages_are_linked_and_a_tampered_cursor_is_a_400_problem_naming_cursor(roster, settings, three_fighters):
    reader = bearer(settings)
    first = roster.get(FIGHTERS, params={"limit": 1}, headers=reader)
    cursor = first.json()["next_cursor"]
    assert first.links["next"]["url"] == f"{FIGHTERS}?limit=1&cursor={cursor}"
    assert roster.get(first.links["next"]["url"], headers=reader).status_code == 200

    payload, _, tag = cursor.partition(".")
    for forged in (payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + tag, payload, "x" * 600,
                   "eyJhZnRlciI6ICJ6In0.AAAAAAAAAAAAAAAAAAAAAA"):
        problem = assert_problem(roster.get(FIGHTERS, params={"cursor": forged}, headers=reader), 400,
                                 "invalid-cursor")
        assert problem["errors"][0]["field"] == "cursor"


def test_a_cursor_signed_by_another_service_key_is_foreign(store_url, tmp_path, settings, roster, three_fighters):
    other = roster_settings(store_url, tmp_path, cursor_secret="another-service-cursor-secret-0123456789")
    with TestClient(create_roster(other)) as elsewhere:
        foreign = elsewhere.get(FIGHTERS, params={"limit": 1}, headers=bearer(other)).json()["next_cursor"]
    assert foreign
    assert_problem(roster.get(FIGHTERS, params={"cursor": foreign}, headers=bearer(settings)), 400, "invalid-cursor")


# --- internal failures -----------------------------------------------------------------------------------------

def test_an_internal_failure_is_a_500_problem_without_internals_logged_under_its_correlation_id(
    roster, settings, three_fighters, caplog
):
    engine = roster.app.state.domain_service.engine
    with engine.begin() as connection:  # the store loses the table behind the service's back
        connection.execute(text("ALTER TABLE fighters RENAME TO fighters_lost"))
    with caplog.at_level(logging.ERROR, logger="mesh_platform.http.errors"):
        response = roster.get(FIGHTERS, headers={**bearer(settings), "X-Request-ID": "attack-500"})
    problem = assert_problem(response, 500, "internal-error")
    assert set(problem) == {"type", "title", "status", "detail", "instance", "correlation_id"}
    assert problem["correlation_id"] == "attack-500" == response.headers["X-Request-ID"]
    for leak in ("SELECT", "fighters_lost", "sqlalchemy", "psycopg", "sqlite3", "Traceback", "OperationalError",
                 "ProgrammingError", ".py"):
        assert leak not in response.text, leak
    [logged] = [r for r in caplog.records if "attack-500" in r.getMessage()]
    assert logged.exc_info is not None  # the operator gets the whole story


# --- ids that travel into another service's URL ----------------------------------------------------------------

@pytest.fixture
def recording_server():
    """A plain HTTP server that records the path of every request it gets (answers 404)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    paths: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            paths.append(self.path)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", paths
    server.shutdown()
    server.server_close()


def test_an_id_from_a_caller_cannot_steer_a_lookup_off_the_product_path(recording_server):
    from results.adapters.schedule_directory import ScheduleHttpDirectory
    from schedule.adapters.roster_directory import RosterHttpDirectory

    url, paths = recording_server
    for hostile in ("../../../admin/replay", "x?fields=date_of_birth#", "a/b", "\x1f"):
        assert RosterHttpDirectory(url, None).find(hostile) is None
        assert ScheduleHttpDirectory(url, None).find(hostile) is None
    assert len(paths) == 8
    for path in paths:
        assert path.startswith(("/data-products/fighters/v1/", "/data-products/bouts/v1/")), path
        segment = path.split("?")[0].split("/")[4]
        assert "/" not in segment and path.split("?")[0].count("/") == 4, path


def test_every_refusal_carries_a_correlation_id(roster):
    refused = roster.post("/fighters", content=b"x" * (MAX_BODY + 1), headers={"X-Request-ID": "big-1"})
    assert refused.status_code == 413 and refused.headers["X-Request-ID"] == "big-1"
    assert roster.get("/health").headers["X-Request-ID"]
