"""Incidents in the catalog's web UI (real headless Chromium): a failing check reported by a service puts a banner
on the product page linking to the incident, the SLO panel shows a breached objective with its budget, the
incident list shows it, and the banner goes once the check has passed again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from openlineage.client.serde import Serde
from playwright.sync_api import Page, expect

from mesh_platform.lineage.naming import product_dataset
from mesh_platform.quality.lineage_report import quality_job, quality_run_event
from mesh_platform.quality.results import QualityRun, RuleResult
from mesh_tools.testing.authority import test_authority

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "catalog"
ROSTER = test_authority().bearer("roster", ["write:roster"])


def report(url: str, result: RuleResult) -> None:
    run = QualityRun("roster.fighters", 1, "schedule", result.ran_at, (result,), 10)
    event = quality_run_event(quality_job("roster", "fighters", 1),
                              [(product_dataset("roster", "fighters", 1), [result])], run, row_count=10)
    assert httpx.post(f"{url}/api/v1/lineage", json=Serde.to_dict(event), headers=ROSTER).status_code == 201


def result(rule: str, status: str, at: datetime, **extra) -> RuleResult:
    values = {"rule_key": rule, "rule_id": rule, "object_name": "fighters", "property_name": None, "status": status,
              "measured": 0.0 if status == "passed" else 2.0, "unit": "rows", "expectation": "= 0 rows",
              "message": "2 fighters with more bouts than events in 2019" if status != "passed" else "ok",
              "ran_at": at, "duration_ms": 1.0, **extra}
    return RuleResult(**values)


@pytest.fixture
def catalog(start_catalog, contract) -> str:
    server = start_catalog(CATALOG_INCIDENT_PASSES_TO_RESOLVE="1")
    response = httpx.post(f"{server.url}/api/v1/data-products", json={"contract": contract("roster", "fighters")},
                          headers=ROSTER)
    assert response.status_code == 201, response.text
    return server.url


def test_a_failing_check_shows_a_banner_that_goes_once_it_passes(page: Page, catalog: str):
    now = datetime.now(UTC)
    report(catalog, result("fighters:bouts_within_events", "failed", now - timedelta(minutes=2)))
    report(catalog, result("slo:freshness", "failed", now - timedelta(minutes=1), unit="seconds", measured=400.0,
                           metric="freshness", bad_rows=0, total_rows=0))
    page.goto(catalog + "/products/roster/fighters")
    banner = page.locator("#incident-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("2 open incidents")
    expect(banner).to_contain_text("fighters:bouts_within_events")
    expect(page.locator("#slos-v1 tr[data-sli=freshness]")).to_contain_text("breached")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "incident-banner.png"), full_page=False)
    assert page.csp_violations == []  # type: ignore[attr-defined]

    banner.locator("li", has_text="fighters:bouts_within_events").locator("a").first.click()
    expect(page.locator("#incident-title")).to_contain_text("fighters:bouts_within_events failed")
    expect(page.locator("#incident-history")).to_contain_text("opened")

    page.goto(catalog + "/incidents")
    expect(page.locator("#incidents tr.incident-row")).to_have_count(2)

    report(catalog, result("fighters:bouts_within_events", "passed", now))
    page.goto(catalog + "/products/roster/fighters")
    expect(page.locator("#incident-banner")).to_contain_text("1 open incident")
    expect(page.locator("#incident-banner")).not_to_contain_text("fighters:bouts_within_events")
    page.goto(catalog + "/incidents?status=resolved")
    expect(page.locator("#incidents tr.incident-row")).to_have_count(1)
    expect(page.locator("#incidents tr.incident-row")).to_contain_text("resolved")
