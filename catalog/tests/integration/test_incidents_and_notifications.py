"""Incidents, SLOs and notifications in the catalog, on SQLite and PostgreSQL: a failing check reported as an
OpenLineage quality run opens one incident per product and rule; owners acknowledge and resolve it with a reason;
it resolves itself after consecutive passes; a breached freshness SLO opens one too; consumers' webhooks receive
signed CloudEvents about incidents, new majors and deprecations."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openlineage.client.serde import Serde
from sqlalchemy import text

from catalog.app import create_app
from catalog.domain.notifications import verify
from mesh_platform.lineage.naming import product_dataset
from mesh_platform.quality.lineage_report import quality_job, quality_run_event
from mesh_platform.quality.results import QualityRun, RuleResult
from mesh_tools.testing.authority import test_authority

RULE = "fighters.stance:stance_allowed"
OPERATOR = test_authority().bearer("test-operator", ["write:roster", "write:stats", "admin:catalog"])
ROSTER_OWNER = test_authority().bearer("roster-oncall", ["write:roster"])
STRANGER = test_authority().bearer("schedule", ["write:schedule"])


class Receiver:
    """A subscriber's webhook endpoint: a real HTTP server keeping what it was sent."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, event_type: str, timeout: float = 10.0) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [(h, b) for h, b in self.received if json.loads(b)["type"] == event_type]
            if found:
                return found
            time.sleep(0.05)
        return []


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def catalog(tmp_path, store_url, catalog_settings_factory, register, contract) -> Iterator[TestClient]:
    settings = catalog_settings_factory(tmp_path, store_url, CATALOG_INCIDENT_PASSES_TO_RESOLVE="2",
                                        CATALOG_NOTIFICATIONS_POLL_SECONDS="0.2", CATALOG_WEBHOOK_BACKOFF_SECONDS="0")
    with TestClient(create_app(settings), headers=OPERATOR) as client:
        assert register(client, contract("roster", "fighters")).status_code == 201
        yield client


def report(client: TestClient, results: list[RuleResult]) -> None:
    at = results[0].ran_at
    run = QualityRun("roster.fighters", 1, "schedule", at, tuple(results), 10)
    event = quality_run_event(quality_job("roster", "fighters", 1),
                              [(product_dataset("roster", "fighters", 1), results)], run, row_count=10)
    assert client.post("/api/v1/lineage", json=Serde.to_dict(event)).status_code == 201


def check(status: str, at: datetime, rule: str = RULE) -> RuleResult:
    return RuleResult(rule_key=rule, rule_id=rule, object_name="fighters", property_name="stance", status=status,
                      measured=0 if status == "passed" else 3, unit="rows", expectation="= 0 rows",
                      message=f"invalidValues(fighters.stance) measured {0 if status == 'passed' else 3}",
                      ran_at=at, duration_ms=1.0, metric="invalidValues", action="block")


def freshness(status: str, at: datetime, waiting: float, late: int, published: int) -> RuleResult:
    return RuleResult(rule_key="slo:freshness", rule_id="freshness", object_name="fighters", property_name=None,
                      status=status, measured=waiting, unit="seconds", expectation="<= 60 seconds",
                      message=f"oldest waiting event {waiting:.0f}s", ran_at=at, duration_ms=0.0, metric="freshness",
                      action="warn", bad_rows=late, total_rows=published)


def incidents(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/incidents", params=params).json()["incidents"]


def test_a_failing_check_opens_one_incident_that_an_owner_acknowledges_and_resolves(catalog):
    start = datetime.now(UTC) - timedelta(minutes=5)
    report(catalog, [check("passed", start)])
    report(catalog, [check("failed", start + timedelta(minutes=1))])
    report(catalog, [check("failed", start + timedelta(minutes=2))])
    [incident] = incidents(catalog, open=True)
    assert (incident["rule"], incident["status"], incident["failures"]) == (RULE, "new", 2)
    assert incident["beganAt"] == start.isoformat()  # the defect began after the last passing check
    assert incident["timeToDetectSeconds"] >= 60

    refused = catalog.post(f"/api/v1/incidents/{incident['id']}/acknowledge", headers=STRANGER)
    assert refused.status_code == 403
    acknowledged = catalog.post(f"/api/v1/incidents/{incident['id']}/acknowledge", headers=ROSTER_OWNER,
                                json={"note": "looking into the import"})
    assert acknowledged.json()["status"] == "acknowledged"
    assert catalog.post(f"/api/v1/incidents/{incident['id']}/acknowledge", headers=ROSTER_OWNER).status_code == 409
    no_reason = catalog.post(f"/api/v1/incidents/{incident['id']}/resolve", headers=ROSTER_OWNER, json={})
    assert no_reason.status_code == 422 and no_reason.headers["content-type"] == "application/problem+json"
    resolved = catalog.post(f"/api/v1/incidents/{incident['id']}/resolve", headers=ROSTER_OWNER,
                            json={"reason": "the import was rolled back"}).json()
    assert (resolved["status"], resolved["resolvedBy"], resolved["resolution"]) == (
        "resolved", "roster-oncall", "the import was rolled back")

    history = catalog.get(f"/api/v1/incidents/{incident['id']}").json()["history"]
    assert [entry["kind"] for entry in history if entry["kind"] != "notified"] == [
        "opened", "failed-again", "acknowledged", "resolved"]
    # The history is append-only in the store itself.
    for statement in ("UPDATE incident_changes SET actor = 'nobody'", "DELETE FROM incident_changes"):
        with pytest.raises(Exception, match="append-only"), catalog.app.state.engine.begin() as connection:
            connection.execute(text(statement))
    # The next failure is a new incident; the resolved one stays as it was.
    report(catalog, [check("failed", start + timedelta(minutes=3))])
    assert [i["status"] for i in incidents(catalog)] == ["new", "resolved"]
    assert catalog.get("/api/v1/incidents/999999").status_code == 404


def test_it_resolves_itself_after_consecutive_passes_and_subscribers_are_notified(catalog, receiver):
    consumer = {"kind": "subscription", "consumer": "stats", "domain": "roster", "product": "fighters", "major": 1}
    assert catalog.post("/api/v1/consumers", json=consumer).status_code in (200, 201)
    stats = test_authority().bearer("stats", ["write:stats"])
    hook = catalog.post("/api/v1/webhooks", json={"url": receiver.url}, headers=stats)
    assert hook.status_code == 201
    secret = hook.json()["secret"]

    start = datetime.now(UTC) - timedelta(minutes=5)
    report(catalog, [check("failed", start)])
    [(headers, body)] = receiver.events("octagon.catalog.incident.opened.v1")
    assert verify(secret, headers, body)
    event = json.loads(body)
    assert event["subject"] == "roster/fighters" and event["source"] == "/catalog"
    assert event["data"]["incident"]["rule"] == RULE
    assert event["data"]["recipients"]["consumers"] == ["stats"]
    # ... and it names the contract's support channel with scope notifications, where the owners announce too
    [channel] = event["data"]["recipients"]["channels"]
    assert (channel["channel"], channel["url"], channel["invitationUrl"]) == (
        "catalog-notifications", "http://127.0.0.1:8000/api/v1/notifications?domain=roster&product=fighters",
        "http://127.0.0.1:8000/api/v1/webhooks")

    report(catalog, [check("passed", start + timedelta(minutes=1))])
    assert incidents(catalog, open=True), "one pass is not enough (two are configured)"
    report(catalog, [check("passed", start + timedelta(minutes=2))])
    assert incidents(catalog, open=True) == []
    [resolved] = incidents(catalog, status="resolved")
    assert resolved["resolvedBy"] == "catalog" and resolved["timeToRepairSeconds"] is not None
    assert receiver.events("octagon.catalog.incident.resolved.v1")
    assert resolved["timeToNotifySeconds"] is not None
    figures = catalog.get("/api/v1/incidents/figures").json()
    assert figures["meanTimeToNotifySeconds"] is not None and figures["open"] == {"new": 0, "acknowledged": 0}
    deliveries = catalog.get(f"/api/v1/webhooks/{hook.json()['id']}/deliveries", headers=stats).json()["deliveries"]
    assert {d["status"] for d in deliveries} == {"delivered"}
    assert 'catalog_incidents_open{status="new"} 0.0' in catalog.get("/metrics").text


def test_a_breached_freshness_slo_opens_an_incident_and_shows_its_error_budget(catalog):
    now = datetime.now(UTC)
    report(catalog, [freshness("passed", now - timedelta(minutes=3), 0, 0, 50)])
    slos = catalog.get("/api/v1/data-products/roster/fighters/v1/slos").json()
    by_sli = {o["sli"]: o for o in slos["objectives"]}
    assert by_sli["freshness"]["status"] == "ok" and by_sli["freshness"]["errorBudget"]["remaining"] == 1.0
    assert by_sli["availability"]["status"] == "no data"

    report(catalog, [freshness("failed", now - timedelta(minutes=1), 240, 0, 0)])  # the producer stopped
    fresh = {o["sli"]: o for o in catalog.get("/api/v1/data-products/roster/fighters/v1/slos").json()["objectives"]}
    assert fresh["freshness"]["status"] == "breached"
    assert fresh["freshness"]["burnRates"]["1h"] == pytest.approx((1 / 51) / 0.01)
    [incident] = incidents(catalog, open=True)
    assert incident["rule"] == "slo:freshness"
    assert incident["timeToDetectSeconds"] >= 240  # dated from the oldest waiting event
    changes = catalog.get("/api/v1/data-products/roster/fighters/v1/slos").json()["statusChanges"]
    assert [c["status"] for c in changes if c["sli"] == "freshness"] == ["breached", "ok"]
    assert catalog.get("/api/v1/data-products/roster/nobody/v1/slos").status_code == 404


def test_a_new_major_and_a_deprecation_are_announced_to_the_products_consumers(catalog, receiver, contract,
                                                                               next_major, register):
    stats = test_authority().bearer("stats", ["write:stats"])
    hook = catalog.post("/api/v1/webhooks", json={"url": receiver.url, "domain": "roster", "product": "fighters"},
                        headers=stats)
    assert hook.status_code == 201
    assert register(catalog, next_major(contract("roster", "fighters"), 2)).status_code == 201
    [(_, body)] = receiver.events("octagon.catalog.product.breaking-change.v1")
    assert json.loads(body)["data"]["previousMajors"] == [1]
    deprecated = contract("roster", "fighters")
    deprecated["status"] = "deprecated"
    deprecated.setdefault("customProperties", []).append({"property": "sunsetDate", "value": "2027-06-30"})
    assert register(catalog, deprecated).status_code in (200, 201)
    assert receiver.events("octagon.catalog.product.deprecated.v1")
    kinds = {n["type"] for n in catalog.get("/api/v1/notifications").json()["notifications"]}
    assert {"octagon.catalog.product.breaking-change.v1", "octagon.catalog.product.deprecated.v1"} <= kinds
    assert catalog.post("/api/v1/webhooks", json={"url": "file:///etc/passwd"}, headers=stats).status_code == 422
    anonymous = catalog.post("/api/v1/webhooks", json={"url": receiver.url}, headers={"Authorization": ""})
    assert anonymous.status_code == 401


def test_the_product_page_shows_the_notification_channels_its_contract_declares(catalog, register, contract):
    page = catalog.get("/products/roster/fighters").text
    section = page[page.index('id="notifications-v1"'):]
    section = section[:section.index("</div>")]
    assert "catalog-notifications" in section
    assert 'href="http://127.0.0.1:8000/api/v1/notifications?domain=roster&amp;product=fighters"' in section
    assert "subscribe: <code>http://127.0.0.1:8000/api/v1/webhooks</code>" in section

    # A channel URL that is no web or mail address is shown as text, never as a link.
    document = contract("roster", "fighters")
    document["version"] = "1.2.0"
    document["support"] = [{"channel": "odd", "url": "javascript:alert(1)", "scope": "notifications"}]
    assert register(catalog, document).status_code in (200, 201)
    page = catalog.get("/products/roster/fighters").text
    section = page[page.index('id="notifications-v1"'):]
    assert "<code>javascript:alert(1)</code>" in section and 'href="javascript:' not in page

