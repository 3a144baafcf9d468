"""The cross-product check job: each check on its rule's schedule (retried soon when it could not read), read
access asked for every product it reads, outcomes reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from croniter import croniter

from mesh_platform.contracts import ContractRegistry
from mesh_platform.quality.crosscheck import HttpProducts, cross_checks
from mesh_platform.quality.crosscheck_job import CrossCheckScheduler, products_read, request_access, run_due

REGISTRY = ContractRegistry.from_directory()
NOW = datetime(2026, 12, 2, 10, 7, tzinfo=UTC)


def test_the_job_reads_every_owning_product_and_every_input_once():
    read = {(c.domain, c.product, c.major) for c in products_read(cross_checks(REGISTRY), REGISTRY)}
    assert read == {("results", "bout-results", 1), ("schedule", "bouts", 1), ("stats", "fighter-records", 1)}


def test_checks_run_at_once_then_on_their_schedule_and_a_failed_read_is_retried_soon():
    checks = cross_checks(REGISTRY)
    scheduler = CrossCheckScheduler(checks, interval=300, retry=30)
    assert scheduler.due(NOW) == checks
    first, second = checks
    scheduler.ran(first, NOW, succeeded=True)
    scheduler.ran(second, NOW, succeeded=False)

    assert scheduler.due(NOW + timedelta(seconds=29)) == []
    assert scheduler.due(NOW + timedelta(seconds=30)) == [second]
    # The check that ran is next due on its rule's cron schedule, or after the interval for a rule without one.
    after = (croniter(first.rule.schedule, NOW).get_next(datetime) if first.rule.schedule
             else NOW + timedelta(seconds=300))
    assert first not in scheduler.due(after - timedelta(seconds=1))
    assert first in scheduler.due(after)


class Catalog:
    """The catalog's access-request endpoint: bouts is not registered yet (404), the others are taken."""

    def __init__(self):
        self.asked: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.asked.append(body)
        if body["product"] == "bouts":
            return httpx.Response(404, json={"detail": "no data product schedule/bouts v1 is registered"})
        return httpx.Response(201 if len(self.asked) == 1 else 200, json={"id": len(self.asked), **body})


def test_access_is_asked_for_each_product_without_personal_data_and_refusals_are_kept_for_later():
    catalog = Catalog()
    wanted = products_read(cross_checks(REGISTRY), REGISTRY)
    with httpx.Client(base_url="http://catalog", transport=httpx.MockTransport(catalog)) as client:
        missing = request_access(client, wanted)
    assert [(c.domain, c.product) for c in missing] == [("schedule", "bouts")]
    assert sorted((a["domain"], a["product"], a["major"], a["pii"]) for a in catalog.asked) == [
        ("results", "bout-results", 1, False), ("schedule", "bouts", 1, False), ("stats", "fighter-records", 1, False)]
    assert all(a["purpose"] for a in catalog.asked)


def test_a_check_whose_products_are_not_granted_yet_is_not_reported_and_is_retried():
    def ports(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/data-products/bouts"):
            return httpx.Response(403, json={"detail": "no grant"})
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    checks = cross_checks(REGISTRY)
    scheduler = CrossCheckScheduler(checks, interval=300, retry=30)
    emitted: list[object] = []
    with httpx.Client(transport=httpx.MockTransport(ports)) as client:
        outcomes = run_due(scheduler, REGISTRY, HttpProducts(REGISTRY, client), emitted.append, NOW)
    ran = {o.check.owner.product for o in outcomes}
    assert ran == {"fighter-records"}  # empty records and results add up
    assert [o.result.status for o in outcomes] == ["passed"]
    assert len(emitted) == 1
    assert [c.owner.product for c in scheduler.due(NOW + timedelta(seconds=30))] == ["bout-results"]
