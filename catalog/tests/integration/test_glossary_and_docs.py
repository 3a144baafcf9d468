"""The business glossary in the catalog (API, pages, search, product pages) and the generated product documentation."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from catalog.app import create_app
from catalog.settings import CatalogSettings

pytestmark = pytest.mark.integration

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


@pytest.fixture
def mesh(catalog, all_contracts, register) -> TestClient:
    """The catalog with every repository contract registered."""
    for document in all_contracts:
        assert register(catalog, document).status_code == 201
    return catalog


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr[^>]*id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return match.group(1)


# glossary API -----------------------------------------------------------------------------------------------------


def test_the_glossary_lists_every_term_with_definition_owner_and_synonyms(mesh: TestClient):
    body = mesh.get("/api/v1/glossary").json()

    by_id = {item["id"]: item for item in body["items"]}
    assert body["total"] == len(list((CONTRACTS / "glossary").glob("*.yaml"))) == len(by_id)
    title = by_id["title-bout"]
    assert title["name"] == "Title bout" and title["owner"] == "schedule-team"
    assert "five rounds" in title["definition"] and "title fight" in title["synonyms"]
    assert title["fields"] == 1  # schedule/bouts title_bout
    assert by_id["weight-class"]["fields"] == 5


@pytest.mark.parametrize(("query", "term"), [("title fight", "title-bout"), ('"event card"', "card"),
                                             ("tapout", "submission"), ("W-L-D-NC", "record"), ("DQ", "disqualification")])
def test_search_finds_a_term_by_its_synonym(mesh: TestClient, query: str, term: str):
    items = mesh.get("/api/v1/glossary", params={"q": query}).json()["items"]

    assert items and items[0]["id"] == term


def test_search_ranks_a_name_hit_above_a_definition_hit_and_supports_the_catalog_syntax(mesh: TestClient):
    ids = [i["id"] for i in mesh.get("/api/v1/glossary", params={"q": "draw"}).json()["items"]]
    assert ids[0] == "draw" and "no-contest" in ids  # "... without a winner and without a draw"
    narrowed = [i["id"] for i in mesh.get("/api/v1/glossary", params={"q": "draw -contest"}).json()["items"]]
    assert "draw" in narrowed and "no-contest" not in narrowed
    prefix = [i["id"] for i in mesh.get("/api/v1/glossary", params={"q": "knock*"}).json()["items"]]
    assert prefix[0] == "knockout"


def test_an_invalid_glossary_query_is_a_400_problem(mesh: TestClient):
    response = mesh.get("/api/v1/glossary", params={"q": '"unterminated'})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_term_lists_every_product_and_field_that_carries_it(mesh: TestClient):
    body = mesh.get("/api/v1/glossary/fighter").json()

    used = {(u["domain"], u["product"], u["major"], u["field"]) for u in body["used_by"]}
    assert {("roster", "fighters", 1, "fighter_id"), ("schedule", "bouts", 1, "red_fighter_id"),
            ("results", "bout-results", 1, "winner_fighter_id"), ("stats", "fighter-records", 1, "fighter_id"),
            ("stats", "rankings", 1, "entries[].fighter_id")} <= used
    assert {r["id"] for r in body["related"]} >= {"record", "weight-class"}
    assert body["contract_link"] == "../glossary/fighter.yaml"


def test_an_unknown_term_is_a_404_problem(mesh: TestClient):
    response = mesh.get("/api/v1/glossary/champion-of-everything")

    assert response.status_code == 404
    assert "champion-of-everything" in response.json()["detail"]


def test_the_catalog_reads_the_glossary_beside_the_contracts_it_is_pointed_at_and_sees_edits(tmp_path: Path):
    contracts = tmp_path / "contracts"
    shutil.copytree(CONTRACTS / "glossary", contracts / "glossary")
    settings = CatalogSettings(MESH_RUN_DIR=tmp_path / "run", MESH_ENV="test", MESH_CONTRACTS_DIR=contracts)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/glossary/pound-for-pound").status_code == 404
        (contracts / "glossary" / "pound-for-pound.yaml").write_text(yaml.safe_dump({
            "id": "pound-for-pound", "businessName": "Pound-for-pound", "owner": "stats-team",
            "description": "A ranking of fighters across weight classes, as if they all weighed the same.",
            "synonyms": [{"synonym": "P4P"}], "relatedTerms": ["ranking"]}), encoding="utf-8")
        client.app.state.glossary._files._recheck_seconds = 0  # do not wait for the next look at the files

        assert client.get("/api/v1/glossary/pound-for-pound").json()["related"][0]["id"] == "ranking"
        assert client.get("/api/v1/glossary", params={"q": "p4p"}).json()["items"][0]["id"] == "pound-for-pound"


# pages ------------------------------------------------------------------------------------------------------------


def test_product_page_shows_each_field_s_terms_with_links(mesh: TestClient):
    html = mesh.get("/products/schedule/bouts").text

    assert 'href="/glossary/title-bout"' in _row(html, "v1-field-title_bout")
    red = _row(html, "v1-field-red_fighter_id")
    assert 'href="/glossary/fighter"' in red and 'href="/glossary/corner"' in red
    assert "/glossary/" not in _row(html, "v1-field-status")
    nested = mesh.get("/products/stats/rankings").text
    assert 'href="/glossary/elo-rating"' in _row(nested, "v1-field-entries[].rating")


def test_term_page_lists_definition_owner_synonyms_and_the_fields_using_it(mesh: TestClient):
    html = mesh.get("/glossary/no-contest").text

    assert "results-team" in html and "neither a win nor a loss" in html and "<li>NC</li>" in html
    assert 'href="/products/stats/fighter-records#v1-field-no_contests"' in html
    assert 'href="/products/results/bout-results"' not in html  # bout-results links outcome, not no-contest
    assert 'href="/glossary/record"' in html


def test_glossary_page_and_home_search_show_terms_found_by_synonym(mesh: TestClient):
    listing = mesh.get("/glossary", params={"q": "championship"}).text
    assert 'href="/glossary/title-bout"' in listing and 'href="/glossary/bout"' not in listing

    home = mesh.get("/", params={"q": "title fight"}).text
    hits = re.search(r'<section class="term-hits".*?</section>', home, re.S)
    assert hits and 'href="/glossary/title-bout"' in hits.group(0)


def test_a_field_linking_an_unregistered_term_is_shown_as_undefined(mesh: TestClient, contract, register):
    document = contract("stats", "rankings")
    rating = document["schema"][0]["properties"][1]["items"]["properties"][3]
    assert rating["name"] == "rating"
    rating["authoritativeDefinitions"] = [{"type": "businessDefinition", "url": "../glossary/glicko.yaml"}]
    document["version"] = "1.0.1"
    assert register(mesh, document).status_code == 201

    row = _row(mesh.get("/products/stats/rankings").text, "v1-field-entries[].rating")

    assert "glicko" in row and 'href="/glossary/glicko"' not in row


# generated documentation ------------------------------------------------------------------------------------------


def test_docs_markdown_documents_the_product_for_consumers(mesh: TestClient):
    response = mesh.get("/api/v1/data-products/roster/fighters/v1/docs.md")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    md = response.text
    assert md.startswith("# Fighters — `roster/fighters` v1")
    assert re.search(r"^\| `weight_class` \| string \| yes \| public \| \[Weight class\]\([^)]*/glossary/weight-class\)",
                     md, re.M)
    assert "| `date_of_birth` (PII) |" in md
    example = json.loads(re.search(r"## Example record.*?```json\n(.*?)\n```", md, re.S).group(1))
    assert example["fighter_id"] == "3f2b9c4e-8d1a-4b7e-9f6a-2c5d8e1b7a40" and example["weight_class"] == "lightweight"
    assert "| `stance_allowed` | `stance` | conformity | one of `orthodox`, `southpaw`, `switch`" in md
    assert re.search(r"\| freshness \| 1 min \| `fighters\.updated_at` \|", md)
    assert "scope `read:roster.fighters.v1`" in md and "`pii:roster.fighters`" in md
    assert 'curl -s -H "Authorization: Bearer $MESH_TOKEN"' in md and "/oauth2/token" in md
    assert "| Topic | `roster.fighters.v1` |" in md and "| `octagon.roster.fighter.retired.v1` |" in md
    for header in ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_dataschema"):
        assert f"| `{header}` |" in md
    assert "**Consumer group**" in md and "subscriptions.yaml" in md
    assert "### Analytical port" in md and "declares no analytical port" not in md
    assert "/analytical/fighters/v1.parquet" in md and "/analytical/fighters/v1.ndjson" in md
    for reader in ("SELECT * FROM read_parquet(", "pd.read_parquet(", "pl.read_parquet(", "--server roster-analytical"):
        assert reader in md, reader
    assert "`X-Snapshot-Time`" in md and "`updated_at` is at or after it" in md
    event_value = json.loads(re.search(r"^value: (\{.*\})$", md, re.M).group(1))
    assert "date_of_birth" not in event_value and event_value["fighter_id"] == example["fighter_id"]


def test_docs_of_an_unknown_major_are_a_404_problem(mesh: TestClient):
    response = mesh.get("/api/v1/data-products/roster/fighters/v7/docs.md")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_docs_page_renders_the_markdown_and_keeps_contract_text_inert(mesh: TestClient, contract, register):
    document = contract("schedule", "event-cards")
    document["description"]["purpose"] = ("<script>alert(1)</script> [click](javascript:alert(2)) | *not bold* "
                                          "# not a heading")
    document["version"] = "1.0.1"
    assert register(mesh, document).status_code == 201

    html = mesh.get("/products/schedule/event-cards/v1/docs").text

    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[click](javascript:alert(2))" in html  # shown as the text it is, not a link
    assert 'href="javascript' not in html and "<em>not bold</em>" not in html and "<h1>not a heading" not in html
    assert '<a href="/glossary/card">Card (event card)</a>' in html
    assert "<table>" in html and '<code class="language-bash">' in html
    assert 'href="/api/v1/data-products/schedule/event-cards/v1/docs.md"' in html


def test_product_page_links_each_major_to_its_documentation(mesh: TestClient, contract, next_major, register):
    assert register(mesh, next_major(contract("roster", "fighters"), 2)).status_code == 201

    html = mesh.get("/products/roster/fighters").text

    assert 'href="/products/roster/fighters/v2/docs"' in html and 'href="/products/roster/fighters/v1/docs"' in html
    v1_docs = mesh.get("/api/v1/data-products/roster/fighters/v1/docs.md").text
    assert "## Other majors" in v1_docs and "/products/roster/fighters/v2/docs" in v1_docs


def test_docs_list_declared_servers_other_than_http_and_kafka_without_inventing_any(mesh: TestClient, contract,
                                                                                     register):
    document = copy.deepcopy(contract("stats", "rankings"))
    document["servers"].append({"id": "snapshots", "server": "stats-snapshots", "type": "local",
                                "path": "/data/stats/rankings/v1/*.parquet", "format": "parquet",
                                "description": "Nightly Parquet snapshots."})
    document["version"] = "1.0.1"
    assert register(mesh, document).status_code == 201

    md = mesh.get("/api/v1/data-products/stats/rankings/v1/docs.md").text

    assert "| `snapshots` | local | `/data/stats/rankings/v1/*.parquet` | Nightly Parquet snapshots. |" in md
    assert "declares no analytical port" not in md
