"""The search index on its store (SQLite and PostgreSQL): what a search sees inside and outside a unit of work,
and how facet values are ranked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from catalog.adapters.search_index import MAX_FACET_VALUES
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.app import MIGRATIONS
from catalog.domain.search_document import SearchDocument
from catalog.domain.search_query import parse_query
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_store


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = create_store_engine(store_url)
    upgrade_store(engine, MIGRATIONS)
    yield engine
    engine.dispose()


def document(number: int, tags: tuple[str, ...], status: str = "active") -> SearchDocument:
    key = f"roster/product-{number}"
    return SearchDocument(key, "roster", f"product-{number}", f"Fighter list {number}", "fighters of the roster", "name",
                          " ".join(tags), {"domain": ("roster",), "tag": tags, "status": (status,)},
                          {"domain": "roster", "product": f"product-{number}", "name": f"Fighter list {number}"})


def test_a_search_in_the_unit_of_work_that_indexed_sees_its_uncommitted_documents_and_others_do_not(engine):
    with SqlCatalogUnitOfWork(engine) as uow:
        uow.search.index_many([document(1, ("pii",)), document(2, ())])
        seen = uow.search.search(parse_query("fighter"), {}, limit=20, offset=0)
        assert {hit.product_key for hit in seen.hits} == {"roster/product-1", "roster/product-2"}
        assert seen.hits[0].summary["domain"] == "roster"
        with SqlCatalogUnitOfWork(engine) as other:
            assert other.search.search(parse_query("fighter"), {}, limit=20, offset=0).total == 0
        uow.commit()
    with SqlCatalogUnitOfWork(engine) as later:
        found = later.search.search(parse_query("fighter"), {"tag": "pii"}, limit=20, offset=0)
    assert [hit.product_key for hit in found.hits] == ["roster/product-1"]
    assert found.total == 1
    assert found.facets["tag"] == [("pii", 1)]


def test_facet_values_are_the_most_frequent_first_ties_by_value_and_capped(engine):
    common = ("zulu", "alpha")  # on every product: the two most frequent, ordered by value on their tie
    rare = tuple(f"tag{n:03d}" for n in range(MAX_FACET_VALUES + 10))
    documents = [document(n, (*common, rare[n])) for n in range(len(rare))]
    documents.append(document(len(rare), (*common, "tag001"), status="deprecated"))
    with SqlCatalogUnitOfWork(engine) as uow:
        uow.search.index_many(documents)
        uow.commit()
    with SqlCatalogUnitOfWork(engine) as uow:
        results = uow.search.search(None, {}, limit=5, offset=0)
    tags = results.facets["tag"]
    assert len(tags) == MAX_FACET_VALUES
    assert tags[:3] == [("alpha", len(documents)), ("zulu", len(documents)), ("tag001", 2)]
    assert tags[3:] == [(tag, 1) for tag in rare if tag != "tag001"][: MAX_FACET_VALUES - 3]
    assert results.facets["status"] == [("active", len(rare)), ("deprecated", 1)]
    assert results.total == len(documents)
    assert [hit.product_key for hit in results.hits] == sorted(d.product_key for d in documents)[:5]
