"""Under `mesh up`, the catalog's map shows consumers of both kinds from the running services, an HTTP reader is an
edge in the lineage of the product it read, and product pages show the analytical snapshot's figures — checked in
headless Chromium as a user sees them too."""

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

pytestmark = pytest.mark.e2e

FIGHTERS = "dataset:octagon.roster:fighters.v1"
READER = "job:octagon.consumers:http.demo-reader"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    """A page of Debian's headless Chromium; ``page.csp_violations`` collects Content-Security-Policy reports."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        found = context.new_page()
        found.csp_violations = []  # type: ignore[attr-defined]
        found.on("console", lambda message: found.csp_violations.append(message.text)  # type: ignore[attr-defined]
                 if "Content Security Policy" in message.text else None)
        yield found
        browser.close()


def eventually(check, timeout=45.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_an_http_reader_is_on_the_map_and_an_edge_in_the_lineage_of_what_it_read(mesh):
    catalog, roster = mesh.urls["catalog"], mesh.urls["roster"]
    read = httpx.get(f"{roster}/data-products/fighters/v1", params={"limit": 1},
                     headers={"Authorization": f"Bearer {mesh.tokens['demo-reader']}"})
    assert read.status_code == 200

    def mapped():
        answer = httpx.get(f"{catalog}/api/v1/mesh-map").json()
        edges = {(e["origin"], e["destination"], e["kind"]) for e in answer["edges"]}
        wanted = {(FIGHTERS, READER, "reads"), (FIGHTERS, "job:octagon.consumers:kafka.schedule", "reads")}
        return answer if wanted <= edges else None

    answer = eventually(mapped)
    assert answer, "the map never showed schedule's consumer group and the HTTP reader of fighters v1"
    assert {d["name"] for d in answer["domains"]} >= {"roster", "schedule", "results", "stats"}
    lineage = httpx.get(f"{catalog}/api/v1/lineage", params={"nodeId": FIGHTERS, "depth": 1}).json()
    fighters = next(node for node in lineage["graph"] if node["id"] == FIGHTERS)
    assert READER in {edge["destination"] for edge in fighters["outEdges"]}
    page = httpx.get(f"{catalog}/map")
    assert page.status_code == 200 and f'data-node-id="{READER}"' in page.text


def test_the_product_page_shows_the_snapshot_figures_the_analytical_port_gives(mesh):
    catalog, roster = mesh.urls["catalog"], mesh.urls["roster"]
    registered = mesh.post(f"{roster}/fighters", json={
        "name": "Aoife Snapshot", "nickname": None, "date_of_birth": "1995-05-05", "nationality": "IE",
        "weight_class": "lightweight", "stance": "orthodox", "height_cm": 165, "reach_cm": 168}, timeout=30)
    assert registered.status_code == 201, registered.text
    page = httpx.get(f"{catalog}/products/roster/fighters", timeout=60).text
    panel = page.split('id="analytical-v1"', 1)[1].split("</div>", 1)[0]
    sha = re.search(r'class="content-hash">([0-9a-f]{64})<', panel)
    assert sha, panel
    rows = int(re.search(r'class="row-count">([\d,]+)<', panel).group(1).replace(",", ""))
    # The port's own answer to a reader: the catalog's figures are of an earlier (or the same) snapshot, and
    # fighters are never deleted.
    head = httpx.head(f"{roster}/analytical/fighters/v1.parquet",
                      headers={"Authorization": f"Bearer {mesh.tokens['demo-reader']}"}, timeout=60)
    assert head.status_code == 200 and 1 <= int(head.headers["X-Row-Count"]) and rows <= int(head.headers["X-Row-Count"])
    assert f"{roster}/analytical/fighters/v1.parquet" in panel
    # The catalog's HEAD did not make it a consumer.
    consumers = httpx.get(f"{catalog}/api/v1/consumers", params={"domain": "roster", "product": "fighters"}).json()
    assert "catalog" not in {c["consumer"] for c in consumers}


def test_a_user_sees_the_snapshot_figures_and_copies_a_working_reading_line_in_the_browser(mesh, page):
    catalog, roster = mesh.urls["catalog"], mesh.urls["roster"]
    parquet = f"{roster}/analytical/fighters/v1.parquet"
    page.goto(f"{catalog}/products/roster/fighters")
    panel = page.locator("#analytical-v1")
    expect(panel).to_be_visible()
    expect(panel.locator("h4")).to_contain_text("Analytical snapshot")
    expect(panel.locator("h4")).to_contain_text(parquet)

    # The figures are on screen: a recent snapshot time, a row count, a SHA-256 of the content.
    taken = datetime.fromisoformat(panel.locator(".snapshot-time").inner_text().strip().replace("Z", "+00:00"))
    assert datetime.now(UTC) - timedelta(hours=1) < taken <= datetime.now(UTC) + timedelta(seconds=5)
    rows = int(panel.locator(".row-count").inner_text().replace(",", ""))
    expect(panel.locator(".content-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    head = httpx.head(parquet, headers={"Authorization": f"Bearer {mesh.tokens['demo-reader']}"}, timeout=60)
    # The catalog asked for an earlier (or the same) snapshot, and fighters are never deleted.
    assert head.status_code == 200 and 0 <= rows <= int(head.headers["X-Row-Count"])
    expect(panel.locator("p.meta")).to_contain_text("X-Content-SHA256")

    # The reading lines are folded until asked for, then name this product's Parquet snapshot.
    duckdb = panel.locator(".analytical-duckdb pre")
    expect(duckdb).to_be_hidden()
    panel.locator(".analytical-duckdb summary").click()
    expect(duckdb).to_be_visible()
    expect(duckdb).to_contain_text(f"read_parquet('{parquet}')")
    python = panel.locator(".analytical-python pre")
    panel.locator(".analytical-python summary").click()
    expect(python).to_be_visible()
    expect(python).to_contain_text(f'pd.read_parquet("{parquet}"')
    expect(python).to_contain_text("pl.read_parquet(")
    assert page.csp_violations == []  # type: ignore[attr-defined]

