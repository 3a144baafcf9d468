"""Under `mesh up`, the catalog learns every product, its consumers and the lineage from the services themselves."""

import time

import httpx
import pytest

pytestmark = pytest.mark.e2e

PRODUCTS = {("roster", "fighters"), ("schedule", "event-cards"), ("schedule", "bouts"), ("results", "bout-results"),
            ("stats", "fighter-records"), ("stats", "rankings")}


def eventually(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def test_every_domain_registered_its_products_with_a_passing_verdict(mesh):
    catalog = mesh.urls["catalog"]

    def registered():
        items = httpx.get(f"{catalog}/api/v1/data-products", params={"limit": 100}).json()["items"]
        return {(item["domain"], item["product"]) for item in items} >= PRODUCTS

    assert eventually(registered)
    fighters = httpx.get(f"{catalog}/api/v1/data-products/roster/fighters").json()
    version = fighters["versions"][0]
    assert version["topic"] == "roster.fighters.v1"
    assert all(policy["passed"] for policy in version["verdict"]["policies"])


def test_subscriptions_and_http_readers_are_listed_as_consumers_per_version(mesh):
    catalog, roster = mesh.urls["catalog"], mesh.urls["roster"]
    httpx.get(f"{roster}/data-products/fighters/v1", headers={"Authorization": f"Bearer {mesh.tokens['demo-reader']}"})

    def consumers():
        listed = httpx.get(f"{catalog}/api/v1/consumers", params={"domain": "roster", "product": "fighters"}).json()
        items = listed["items"] if isinstance(listed, dict) else listed
        return {(c["kind"], c["consumer"]) for c in items} >= {("subscription", "schedule"), ("subscription", "stats"),
                                                              ("http", "demo-reader")}

    assert eventually(consumers)


def test_lineage_graph_links_roster_through_results_to_stats(mesh):
    catalog = mesh.urls["catalog"]

    def graph():
        response = httpx.get(f"{catalog}/api/v1/lineage",
                             params={"nodeId": "dataset:octagon.stats:fighter-records.v1", "depth": 4})
        if response.status_code != 200:
            return None
        ids = {node["id"] for node in response.json()["graph"]}
        return ids if {"dataset:octagon.results:bout-results.v1", "job:octagon.consumers:kafka.stats"} <= ids else None

    ids = eventually(graph, timeout=45)
    assert ids, "the lineage graph never connected results' product to stats' products"
    assert "dataset:octagon.roster:fighters.v1" in ids


def test_unknown_lineage_node_is_a_404(mesh):
    response = httpx.get(f"{mesh.urls['catalog']}/api/v1/lineage", params={"nodeId": "dataset:nowhere:nothing.v1"})
    assert response.status_code == 404
