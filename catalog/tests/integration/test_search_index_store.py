"""The search index on its store (SQLite and PostgreSQL): what a search sees inside and outside a unit of work,
and how facet values are ranked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
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


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


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


def test_reindexing_a_product_replaces_its_words_and_removing_it_forgets_them(engine):
    stale = SearchDocument("roster/product-1", "roster", "product-1", "Fighter list", "weigh-ins of the roster", "name",
                           "pii", {"domain": ("roster",), "tag": ("pii",), "status": ("active",)}, {"name": "old"})
    with SqlCatalogUnitOfWork(engine) as uow:
        uow.search.index_many([stale, document(2, ())])
        uow.commit()
    with SqlCatalogUnitOfWork(engine) as uow:
        uow.search.index_many([document(1, ("medical",))])  # the same product, its new text and facets
        uow.commit()
    with SqlCatalogUnitOfWork(engine) as uow:
        assert uow.search.search(parse_query("weigh"), {}, limit=20, offset=0).total == 0
        assert uow.search.search(None, {"tag": "pii"}, limit=20, offset=0).total == 0
        found = uow.search.search(parse_query("medical"), {"tag": "medical"}, limit=20, offset=0)
        assert [(hit.product_key, hit.summary["name"]) for hit in found.hits] == [("roster/product-1", "Fighter list 1")]
        uow.search.remove("roster/product-1")
        uow.commit()
    with SqlCatalogUnitOfWork(engine) as uow:
        assert uow.search.search(parse_query("fighter"), {}, limit=20, offset=0).total == 1
        assert uow.search.search(parse_query("medical"), {}, limit=20, offset=0).total == 0
    if engine.dialect.name == "sqlite":  # the text index agrees with the documents it indexes, entry for entry
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)")


def test_documents_indexed_before_the_external_content_revision_are_found_after_it_and_after_going_back(store_url):
    engine = create_store_engine(store_url)
    try:
        migrate(engine, "0005")
        with SqlCatalogUnitOfWork(engine) as uow:
            uow.search.index_many([document(1, ("pii",)), document(2, ())])
            uow.commit()
        for revision, down in (("0006", False), ("0005", True)):
            migrate(engine, revision, down=down)
            with SqlCatalogUnitOfWork(engine) as uow:
                found = uow.search.search(parse_query("fighter list"), {"tag": "pii"}, limit=20, offset=0)
                assert [hit.product_key for hit in found.hits] == ["roster/product-1"]
                assert uow.search.search(parse_query("roster"), {}, limit=20, offset=0).total == 2
    finally:
        engine.dispose()
