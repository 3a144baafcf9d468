"""Full-text search with facets over real stores: SQLite FTS5, then PostgreSQL full text."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from mesh_platform.contracts.documents import read_document

pytestmark = pytest.mark.integration

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


@pytest.fixture(scope="module")
def registered(module_catalog, next_major):
    """Every repository contract, plus a second major of fighters with the first deprecated (statuses are a facet)."""
    documents = [read_document(path.read_text(encoding="utf-8"), path) for path in sorted(CONTRACTS.glob("*/*.odcs.yaml"))]
    fighters = next(d for d in documents if d["id"] == "roster.fighters")
    major, minor, patch = (int(part) for part in fighters["version"].split("."))
    deprecated = {**copy.deepcopy(fighters), "version": f"{major}.{minor}.{patch + 1}", "status": "deprecated",
                  "customProperties": [{"property": "sunsetDate", "value": "2031-01-31"}]}
    for document in [*documents, next_major(fighters, 2), deprecated]:
        response = module_catalog.post("/api/v1/data-products", json={"contract": document, "service_url": None})
        assert response.status_code == 201, response.json()
    return module_catalog


def search(client, **params):
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.json()
    return response.json()


def keys(result) -> list[str]:
    return [f"{item['domain']}/{item['product']}" for item in result["items"]]


def test_field_names_are_searchable(registered):
    assert keys(search(registered, q="date_of_birth")) == ["roster/fighters"]


def test_descriptions_and_tags_are_searchable(registered):
    found = keys(search(registered, q="elo"))
    assert found[0] == "stats/rankings"  # tagged `elo`, and its description is about the rating
    assert set(found) == {"stats/rankings", "roster/fighters"}  # fighters' replica of the rating says "Elo" too
    assert "schedule/event-cards" in keys(search(registered, q="venue"))


def test_names_rank_above_mere_mentions(registered):
    result = search(registered, q="bouts")

    assert keys(result)[0] == "schedule/bouts"
    assert result["total"] >= 2


def test_prefix_phrase_or_and_exclusion(registered):
    assert "roster/fighters" in keys(search(registered, q="fight*"))
    assert set(keys(search(registered, q="elo OR venue"))) == {
        "stats/rankings", "roster/fighters", "schedule/event-cards"}
    with_fighters = set(keys(search(registered, q="fighter")))
    without_elo = set(keys(search(registered, q="fighter -elo")))
    assert with_fighters - without_elo == {"stats/rankings", "roster/fighters"}


def test_facets_count_the_results_and_filter_them(registered):
    result = search(registered, q="fighter")
    facets = {facet: dict((v["value"], v["count"]) for v in values) for facet, values in result["facets"].items()}

    assert facets["classification"]["restricted"] == 1  # only fighters carries personal data
    assert facets["status"]["deprecated"] == 1
    assert sum(facets["domain"].values()) == result["total"]
    assert keys(search(registered, q="fighter", classification="restricted")) == ["roster/fighters"]
    assert keys(search(registered, q="fighter", status="deprecated")) == ["roster/fighters"]
    assert set(keys(search(registered, domain="stats"))) == {"stats/fighter-records", "stats/rankings"}
    assert keys(search(registered, tag="pii")) == ["roster/fighters"]
    assert search(registered, q="fighter", domain="nowhere")["total"] == 0


def test_empty_query_lists_everything_in_order_with_paging(registered, all_contracts):
    first = search(registered, limit=2)
    second = search(registered, limit=2, offset=2)

    assert first["total"] == len(all_contracts)
    assert len(first["items"]) == 2 and keys(first) + keys(second) == sorted(keys(first) + keys(second))
    assert not set(keys(first)) & set(keys(second))


@pytest.mark.parametrize("query", ['"unclosed', "(fighters", "fighters OR", "-retired", "NOT", "AND fighters"])
def test_syntax_errors_are_bad_requests_never_server_errors(registered, query):
    response = registered.get("/api/v1/search", params={"q": query})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"].startswith("q: ")


@pytest.mark.parametrize("query", ["near(fighters)", "col:value", "^fighters", "fighters{", "a'b", "SELECT * FROM x;--", "🥊 fighters"])
def test_database_query_operators_in_user_text_are_plain_words(registered, query):
    assert registered.get("/api/v1/search", params={"q": query}).status_code == 200
