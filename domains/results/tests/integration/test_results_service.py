import base64
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from mesh_tools.testing.authority import test_authority
from results.adapters.tables import PLATFORM_TABLES
from results.app import create_app

from .conftest import bout_record, knockout, now

pytestmark = pytest.mark.integration

PORT = "/data-products/bout-results/v1"


def outbox_rows(results):
    outbox = PLATFORM_TABLES.outbox
    with results.service.engine.connect() as connection:
        return connection.execute(select(outbox).order_by(outbox.c.id)).all()


def split_decision(bout: dict) -> dict:
    return {
        "outcome": "win", "winner_fighter_id": bout["blue_fighter_id"], "method": "DEC-S", "round": 3, "time": "5:00",
        "judges_scores": [{"judge": "Ana Ruiz", "red": 29, "blue": 28}, {"judge": "Tom Hale", "red": 28, "blue": 29},
                          {"judge": "Mei Chen", "red": 28, "blue": 29}],
    }


def test_recorded_result_is_answered_served_and_announced_as_the_contract_says(results, bout_results_contract):
    bout = results.scheduled_bout(weight_class="welterweight")
    response = results.record_result(bout, split_decision(bout))
    assert response.status_code == 201, response.text
    recorded = response.json()
    assert recorded["bout_date"] == bout["card_date"] and recorded["card_id"] == bout["card_id"]
    assert recorded["judges_scores"][1] == {"judge": "Tom Hale", "red": 28, "blue": 29}

    served = results.client.get(f"{PORT}/{bout['bout_id']}", headers=results.reader).json()
    bout_results_contract.validate_record(served)
    assert set(served) == {field.name for field in bout_results_contract.fields}
    assert {**served, "recorded_at": None} == {**recorded, "recorded_at": None}

    [row] = outbox_rows(results)
    assert (row.topic, row.message_key, row.event_type) == (
        "results.bout-results.v1", bout["bout_id"], "octagon.results.result.recorded.v1")
    assert row.payload == served


def test_knockout_is_served_without_scorecards(results, bout_results_contract):
    bout = results.scheduled_bout()
    assert results.record_result(bout, knockout(bout)).status_code == 201
    served = results.client.get(f"{PORT}/{bout['bout_id']}", headers=results.reader).json()
    bout_results_contract.validate_record(served)
    assert served["judges_scores"] is None and served["winner_fighter_id"] == bout["red_fighter_id"]


def test_repeated_request_with_the_same_idempotency_key_records_once(results):
    bout = results.scheduled_bout()
    first = results.record_result(bout, knockout(bout), **{"Idempotency-Key": "k-1"})
    again = results.record_result(bout, knockout(bout), **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert len(outbox_rows(results)) == 1


def assert_problem(response, status: int, field: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert field in [error["field"] for error in problem["errors"]], problem
    return problem


def test_result_for_an_unknown_bout_is_not_found(results):
    assert_problem(results.record_result(bout_record(), {**knockout(bout_record())}), 404, "bout_id")


def test_second_result_for_a_bout_is_a_conflict(results):
    bout = results.scheduled_bout()
    results.record_result(bout, knockout(bout))
    problem = assert_problem(results.record_result(bout, split_decision(bout)), 409, "bout_id")
    assert "recorded once" in problem["detail"]


def test_cancelled_bout_takes_no_result(results):
    bout = results.scheduled_bout()
    results.publish_bout("cancelled", {**bout, "status": "cancelled"})
    assert_problem(results.record_result(bout, knockout(bout)), 409, "bout_id")


def test_result_refused_when_card_date_has_not_passed(results):
    bout = results.scheduled_bout(card_date=(now().date() + timedelta(days=7)).isoformat())
    problem = assert_problem(results.record_result(bout, knockout(bout)), 422, "bout_id")
    assert "after the card date" in problem["detail"]
    assert outbox_rows(results) == []


@pytest.mark.parametrize("change, field", [
    ({"winner_fighter_id": "someone-else"}, "winner_fighter_id"),
    ({"method": "NC"}, "method"),
    ({"round": 4}, "round"),
    ({"time": "5:30"}, "time"),
    ({"judges_scores": [{"judge": "A", "red": 10, "blue": 9}] * 3}, "judges_scores"),
    ({"outcome": "knockout"}, "outcome"),  # not an outcome at all: refused by the request schema
    ({"referee": "Herb Dean"}, "referee"),
])
def test_each_broken_rule_is_a_problem_naming_its_field(results, change, field):
    bout = results.scheduled_bout()
    assert_problem(results.record_result(bout, {**knockout(bout), **change}), 422, field)


def test_split_decision_refused_when_the_cards_do_not_split(results):
    bout = results.scheduled_bout()
    body = split_decision(bout)
    body["judges_scores"][0] = {"judge": "Ana Ruiz", "red": 28, "blue": 29}
    problem = assert_problem(results.record_result(bout, body), 422, "judges_scores")
    assert "two judges for the winner and one for the loser" in problem["detail"]


def test_an_older_bout_event_never_overwrites_a_newer_state(results):
    bout = bout_record()
    results.publish_bout("cancelled", {**bout, "status": "cancelled"}, time=now())
    results.publish_bout("scheduled", bout, time=now() - timedelta(minutes=5))  # delivered late
    assert_problem(results.record_result(bout, knockout(bout)), 409, "bout_id")


def test_port_pages_through_results_and_filters_on_documented_fields(results):
    card = str(uuid.uuid4())
    recorded = []
    for index in range(5):
        bout = results.scheduled_bout(card_id=card if index < 3 else str(uuid.uuid4()),
                                      weight_class="heavyweight" if index % 2 else "lightweight")
        body = knockout(bout) if index != 4 else {"outcome": "no_contest", "method": "NC", "round": 1, "time": "0:40"}
        assert results.record_result(bout, body).status_code == 201
        recorded.append(bout)

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = results.client.get(PORT, params=params, headers=results.reader).json()
        seen += [item["bout_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(bout["bout_id"] for bout in recorded)

    def keys(**filters):
        page = results.client.get(PORT, params=filters, headers=results.reader).json()
        return {item["bout_id"] for item in page["items"]}

    assert keys(card_id=card) == {bout["bout_id"] for bout in recorded[:3]}
    assert keys(weight_class="heavyweight") == {recorded[1]["bout_id"], recorded[3]["bout_id"]}
    assert keys(outcome="no_contest") == keys(method="NC") == {recorded[4]["bout_id"]}
    assert keys(method="KO/TKO", card_id=card) == {bout["bout_id"] for bout in recorded[:3]}
    assert keys(winner_fighter_id=recorded[2]["red_fighter_id"]) == {recorded[2]["bout_id"]}
    unknown = results.client.get(PORT, params={"venue": "x"}, headers=results.reader)
    assert unknown.status_code == 400 and "venue" in unknown.json()["detail"]


def test_port_needs_a_bearer_token(results):
    assert results.client.get(PORT, headers={"Authorization": ""}).status_code == 401


class ScheduleStub(BaseHTTPRequestHandler):
    """Schedule's published bouts port, answering for the bouts it was given, and a token endpoint granting the
    results client (secret ``s3cret``) what schedule approved: ``read:schedule.bouts.v1``."""

    bouts: dict = {}
    callers: list = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = self.rfile.read(length).decode()
        expected = "Basic " + base64.b64encode(b"results:s3cret").decode()
        granted = self.path == "/oauth2/token" and self.headers["Authorization"] == expected and \
            "grant_type=client_credentials" in form
        body = json.dumps({"access_token": test_authority().token("results", ["read:schedule.bouts.v1"]),
                           "token_type": "Bearer", "expires_in": 300} if granted else {"error": "invalid_client"})
        self.send_response(200 if granted else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def do_GET(self):
        token = test_authority().verifier().verify(self.headers["Authorization"].removeprefix("Bearer "))
        type(self).callers.append((token.subject, sorted(token.scopes)))
        bout = self.bouts.get(self.path.split("?")[0].rsplit("/", 1)[-1])
        body = json.dumps(bout).encode()
        self.send_response(200 if bout else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_bout_not_yet_replicated_is_read_from_schedules_port_with_results_token(results_settings):
    bout = bout_record()
    ScheduleStub.bouts = {bout["bout_id"]: bout}
    ScheduleStub.callers = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScheduleStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stub = f"http://127.0.0.1:{server.server_port}"
    settings = results_settings.model_copy(update={
        "schedule_url": stub, "oidc_token_url": f"{stub}/oauth2/token", "client_secret": SecretStr("s3cret"),
    })
    try:
        with TestClient(create_app(settings)) as client:
            writer = test_authority().bearer("results-desk", ["write:results"])
            response = client.post(f"/bouts/{bout['bout_id']}/result", json=knockout(bout), headers=writer)
            missing = client.post(f"/bouts/{uuid.uuid4()}/result", json=knockout(bout), headers=writer)
    finally:
        server.shutdown()
    assert response.status_code == 201, response.text
    assert response.json()["card_id"] == bout["card_id"]
    assert missing.status_code == 404
    assert ScheduleStub.callers[0] == ("results", ["read:schedule.bouts.v1"])
