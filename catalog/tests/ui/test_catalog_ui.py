"""The catalog's web UI in real headless Chromium: search, product pages, lineage click-through, governance."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
import semver
from playwright.sync_api import Page, expect

from mesh_tools.testing.authority import test_authority

FORGED_SERVICE_URL = "http://169.254.169.254/latest/meta-data"

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "catalog"
SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"




@pytest.fixture
def catalog_server(start_catalog):
    """The catalog, configured with where roster runs (the only service URL it shows or probes)."""
    return start_catalog(CATALOG_SERVICE_URLS="roster=http://127.0.0.1:8001")


@pytest.fixture
def mesh(catalog_server, all_contracts, contract, next_major, register):
    """A catalog holding the repository's products, two majors of fighters, consumers, runs and one refusal."""
    operator = test_authority().bearer("test-operator", ["write:roster", "write:schedule", "write:results",
                                                         "write:stats", "admin:catalog"])
    with httpx.Client(base_url=catalog_server.url, headers=operator) as client:
        for document in all_contracts:
            # A registration's service_url is never fetched nor shown: the catalog uses its own configuration.
            assert register(client, document, service_url=FORGED_SERVICE_URL).status_code == 201
        assert register(client, next_major(contract("roster", "fighters"), 2)).status_code == 201
        deprecated = contract("roster", "fighters")
        deprecated.update(version=str(semver.Version.parse(deprecated["version"]).bump_patch()), status="deprecated",
                          customProperties=[{"property": "sunsetDate", "value": "2031-06-30"}])
        assert register(client, deprecated).status_code == 201
        refused = contract("schedule", "bouts")
        del refused["team"]
        refused["version"] = "1.0.1"
        assert register(client, refused).status_code == 422
        for kind, consumer, domain, product in [("subscription", "schedule", "roster", "fighters"),
                                                ("http", "results", "roster", "fighters"),
                                                ("subscription", "stats", "results", "bout-results")]:
            client.post("/api/v1/consumers", json={"kind": kind, "consumer": consumer, "domain": domain,
                                                   "product": product, "major": 1})
        run_id = str(uuid.uuid4())
        for event_type in ("START", "COMPLETE"):
            client.post("/api/v1/lineage", json={
                "eventType": event_type, "eventTime": "2024-05-01T12:00:00Z", "producer": "tests", "schemaURL": SPEC,
                "run": {"runId": run_id}, "job": {"namespace": "octagon.stats", "name": "derive.fighter-records"},
                "inputs": [{"namespace": "octagon.results", "name": "bout-results.v1"}],
                "outputs": [{"namespace": "octagon.stats", "name": "fighter-records.v1"}]})
    return catalog_server.url


def test_searching_from_the_home_page_and_narrowing_with_a_facet(page: Page, mesh: str):
    page.goto(mesh + "/")
    page.fill("#search-input", "fighter")
    page.press("#search-input", "Enter")

    expect(page).to_have_url(re.compile(r"q=fighter"))
    total = int(page.locator("#result-count").inner_text())
    assert total >= 4
    expect(page.locator(".product-card h3 a", has_text="Fighters")).to_be_visible()

    page.locator(".facet[data-facet=classification] a", has_text="restricted").click()

    expect(page.locator("#result-count")).to_have_text("1")
    expect(page.locator(".product-card h3 a")).to_have_text("Fighters")
    expect(page.locator(".chip", has_text="classification: restricted")).to_be_visible()


def test_product_page_shows_versions_schema_consumers_and_how_to_consume(page: Page, mesh: str):
    page.goto(mesh + "/products/roster/fighters")

    expect(page.locator("#product-title")).to_contain_text("Fighters")
    expect(page.locator("#owner")).to_have_text("roster-team")
    versions = page.locator("#versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("2.0.0")
    expect(versions.nth(1)).to_contain_text("deprecated")
    expect(versions.nth(1)).to_contain_text("2031-06-30")
    birth = page.locator("#schema-v1 tr", has_text="date_of_birth")
    expect(birth.locator(".badge.pii")).to_be_visible()
    expect(birth).to_contain_text("restricted")
    expect(page.locator("#schema-v1 tr", has_text="height_cm")).to_contain_text("integer")
    v1 = page.locator("#v1")
    expect(v1.locator(".consumers")).to_contain_text("Kafka consumer group")
    expect(v1.locator(".consumers")).to_contain_text("HTTP reader")
    expect(v1.locator("pre.snippet").first).to_contain_text('curl -s -H "Authorization: Bearer $MESH_TOKEN" "http://127.0.0.1:8001/data-products/fighters/v1?limit=10"')
    assert "169.254.169.254" not in page.content()
    expect(v1.locator("code.topic")).to_have_text("roster.fighters.v1")
    expect(v1).to_contain_text("octagon.roster.fighter.registered.v1")
    kafka = v1.locator("details.snippet-details").filter(has_text="kafka-python")
    expect(kafka.locator("pre")).to_be_hidden()
    kafka.locator("summary").click()
    expect(kafka.locator("pre")).to_contain_text('KafkaConsumer(\n    "roster.fighters.v1"')
    v1.locator("details.contract summary").click()
    expect(v1.locator("details.contract pre")).to_contain_text("id: roster.fighters")
    expect(v1.locator(".slos")).to_contain_text("availability")


def test_product_page_screenshot_shows_the_key_content(page: Page, mesh: str):
    page.goto(mesh + "/products/roster/fighters")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "product-page.png"

    page.screenshot(path=str(shot), full_page=False)

    assert shot.stat().st_size > 20_000
    for locator in (page.locator("#product-title"), page.locator("#versions"), page.locator("#owner"),
                    page.get_by_text("Purpose.")):
        expect(locator).to_be_in_viewport()


def test_lineage_picture_can_be_clicked_through(page: Page, mesh: str):
    page.goto(mesh + "/lineage?nodeId=dataset:octagon.results:bout-results.v1&depth=2")

    svg = page.locator("#lineage-graph")
    expect(svg).to_be_visible()
    shown = {svg.locator("a.node-link").nth(i).get_attribute("data-node-id") for i in range(svg.locator("a.node-link").count())}
    assert shown == {"dataset:octagon.results:bout-results.v1", "job:octagon.consumers:kafka.stats",
                     "job:octagon.stats:derive.fighter-records", "dataset:octagon.stats:fighter-records.v1"}
    expect(svg.locator("g.focus")).to_contain_text("bout-results.v1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lineage.png"))

    svg.locator('a.node-link[data-node-id="job:octagon.stats:derive.fighter-records"]').click()

    expect(page.locator("#focus-id")).to_have_text("job:octagon.stats:derive.fighter-records")
    expect(page.locator("#lineage-graph g.focus")).to_contain_text("COMPLETED")
    page.locator('a.node-link[data-node-id="dataset:octagon.stats:fighter-records.v1"]').click()
    expect(page.locator("#focus-id")).to_have_text("dataset:octagon.stats:fighter-records.v1")
    page.get_by_role("link", name="product page").click()
    expect(page.locator("#product-title")).to_contain_text("Fighter records")


def test_governance_page_shows_verdicts_and_the_refused_registration(page: Page, mesh: str):
    page.goto(mesh + "/governance")

    expect(page.locator("#policies")).to_contain_text("personal-data-tagged")
    refused = page.locator("#refused tbody tr")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("schedule/bouts")
    expect(refused).to_contain_text("owner-present")
    expect(page.locator("#registered tbody tr", has_text="roster/fighters").first).to_contain_text("compliant")


def test_a_search_syntax_error_is_explained_on_the_page(page: Page, mesh: str):
    response = page.goto(mesh + "/?q=%22unclosed")

    assert response is not None and response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("unterminated phrase")


def test_every_page_keeps_to_its_content_security_policy(page: Page, mesh: str):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    for path in ("/", "/?q=fighter", "/domains/roster", "/products/roster/fighters", "/governance",
                 "/lineage?nodeId=dataset:octagon.results:bout-results.v1&depth=2"):
        response = page.goto(mesh + path)
        assert response is not None and response.ok, path
        headers = response.headers
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        # the stylesheet still applies under the policy
        assert page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "flex"
    assert violations == []
    nested = page.goto(mesh + "/products/roster/fighters")
    assert nested is not None
    # schema fields indent by depth through classes now that inline styles are refused
    indents = page.eval_on_selector_all(
        "table.schema td.field-depth-0", "cells => cells.map(c => getComputedStyle(c).paddingLeft)")
    assert indents and set(indents) == {"8px"}
