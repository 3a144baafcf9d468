"""The map of the mesh (/map) in real headless Chromium: lanes, nodes, edges, markings, click-through, strict CSP."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from mesh_tools.testing.authority import test_authority

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "catalog"
SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FIGHTERS = "dataset:octagon.roster:fighters.v1"


def next_patch(version: str) -> str:
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


@pytest.fixture
def mesh(start_catalog, all_contracts, contract, register):
    """A catalog holding the repository's products, consumers of both kinds, a deprecation and a failing rule."""
    server = start_catalog()
    operator = test_authority().bearer("test-operator", ["write:roster", "write:schedule", "write:results",
                                                         "write:stats", "admin:catalog"])
    with httpx.Client(base_url=server.url, headers=operator) as client:
        for document in all_contracts:
            assert register(client, document).status_code == 201
        cards = contract("schedule", "event-cards")
        cards.update(version=next_patch(cards["version"]), status="deprecated", customProperties=[{"property": "sunsetDate", "value": "2031-06-30"}])
        assert register(client, cards).status_code == 201
        for kind, consumer, domain, product in [("subscription", "schedule", "roster", "fighters"),
                                                ("http", "demo-reader", "roster", "fighters")]:
            client.post("/api/v1/consumers", json={"kind": kind, "consumer": consumer, "domain": domain,
                                                   "product": product, "major": 1})
        run_id = str(uuid.uuid4())
        facet = {"dataQualityAssertions": {
            "_producer": "tests", "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DataQualityAssertionsDatasetFacet.json",
            "assertions": [{"assertion": "one_result", "name": "one_result", "success": False}]}}
        for event_type in ("START", "COMPLETE"):
            client.post("/api/v1/lineage", json={
                "eventType": event_type, "eventTime": "2026-05-01T12:00:00Z", "producer": "tests", "schemaURL": SPEC,
                "run": {"runId": run_id}, "job": {"namespace": "octagon.results", "name": "quality.bout-results.v1"},
                "inputs": [{"namespace": "octagon.results", "name": "bout-results.v1", "inputFacets": facet}]})
    return server.url


def test_the_map_draws_every_domain_lane_product_and_consumer_with_markings(page: Page, mesh: str):
    page.goto(mesh + "/")
    page.locator("header nav a", has_text="Map").click()

    expect(page).to_have_url(re.compile(r"/map$"))
    svg = page.locator("svg#mesh-map")
    expect(svg).to_be_visible()
    lanes = [lane.get_attribute("data-domain") for lane in svg.locator("g.lane").all()]
    assert lanes == ["results", "roster", "schedule", "stats", "outside the domains"]
    expect(svg.locator("g.node.product")).to_have_count(6)
    expect(svg.locator(f'a[data-node-id="{FIGHTERS}"] g.node')).to_contain_text("fighters v1")
    expect(svg.locator('a[data-node-id="job:octagon.consumers:kafka.schedule"] g.node.kafka')).to_be_visible()
    expect(svg.locator('a[data-node-id="job:octagon.consumers:http.demo-reader"] g.node.http')).to_be_visible()
    expect(svg.locator(f'path.edge.reads.kafka[data-origin="{FIGHTERS}"]')).to_have_count(1)
    expect(svg.locator(f'path.edge.reads.http[data-origin="{FIGHTERS}"]')).to_have_count(1)
    expect(svg.locator('a[data-node-id="dataset:octagon.schedule:event-cards.v1"] g.node.deprecated')).to_contain_text("sunset 2031-06-30")
    failing = svg.locator('a[data-node-id="dataset:octagon.results:bout-results.v1"] g.node.health-bad')
    expect(failing.locator(".badge-mark")).to_have_text("1")
    expect(page.locator("#map-products tr.health-bad")).to_contain_text("one_result")
    assert page.csp_violations == []  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "mesh-map.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000


def test_clicking_a_product_on_the_map_opens_its_page_and_a_consumer_its_lineage(page: Page, mesh: str):
    page.goto(mesh + "/map")
    page.locator(f'svg#mesh-map a[data-node-id="{FIGHTERS}"]').click()
    expect(page).to_have_url(re.compile(r"/products/roster/fighters#v1$"))
    expect(page.locator("#product-title")).to_contain_text("Fighters")

    page.goto(mesh + "/map")
    page.locator('svg#mesh-map a[data-node-id="job:octagon.consumers:http.demo-reader"]').click()
    expect(page.locator("#focus-id")).to_have_text("job:octagon.consumers:http.demo-reader")
    expect(page.locator(f'#lineage-graph [data-node-id="{FIGHTERS}"]')).to_be_visible()
