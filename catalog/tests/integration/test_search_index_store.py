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


def numbered(number: int) -> SearchDocument:
    """A product found by its own word (``only<number>``) and filtered by ``even``/``odd``."""
    return document(number, ("even" if number % 2 == 0 else "odd", f"only{number}"))


def index_and_remove_some(engine: Engine) -> list[int]:
    """Index twelve products and remove a third of them, leaving gaps among the documents' rowids; the kept ones."""
    removed = [1, 2, 5, 8]
    with SqlCatalogUnitOfWork(engine) as uow:
        uow.search.index_many([numbered(n) for n in range(12)])
        uow.commit()
    with SqlCatalogUnitOfWork(engine) as uow:
        uow.search.remove_many([f"roster/product-{n}" for n in removed])
        uow.commit()
    return [n for n in range(12) if n not in removed]


def assert_exact_answers(engine: Engine, kept: list[int]) -> None:
    """Every kept product and nothing else is found by its words and its facets, with the right facet counts."""
    def keys(numbers: list[int]) -> list[str]:
        return sorted(f"roster/product-{n}" for n in numbers)

    with SqlCatalogUnitOfWork(engine) as uow:
        everything = uow.search.search(parse_query("fighter"), {}, limit=50, offset=0)
        assert sorted(hit.product_key for hit in everything.hits) == keys(kept)
        for number in kept:
            found = uow.search.search(parse_query(f"only{number}"), {}, limit=50, offset=0)
            assert [(hit.product_key, hit.summary["name"]) for hit in found.hits] == [
                (f"roster/product-{number}", f"Fighter list {number}")]
        even = [n for n in kept if n % 2 == 0]
        filtered = uow.search.search(parse_query("roster"), {"tag": "even"}, limit=50, offset=0)
        assert sorted(hit.product_key for hit in filtered.hits) == keys(even)
        assert filtered.facets["tag"][0] == ("even", len(even))
        browsed = uow.search.search(None, {}, limit=50, offset=0)
        assert [hit.product_key for hit in browsed.hits] == keys(kept)
        assert dict(browsed.facets["tag"]) == {"even": len(even), "odd": len(kept) - len(even),
                                               **{f"only{n}": 1 for n in kept}}
    if engine.dialect.name == "sqlite":  # the text index agrees with the documents it indexes, entry for entry
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)")


def test_searches_and_facet_counts_stay_exact_after_removals_and_a_vacuum(engine: Engine) -> None:
    kept = index_and_remove_some(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
    assert_exact_answers(engine, kept)


def test_searches_stay_exact_after_the_documents_table_is_copied_into_a_new_one(engine: Engine) -> None:
    """SQLite changes a table's definition by copying its rows, column by column, into a new table (a later
    migration in Alembic's batch mode does): the documents must keep the ids the text index and the facet tables
    know them by."""
    if engine.dialect.name != "sqlite":
        pytest.skip("copying a table to change it is SQLite's way; PostgreSQL's index refers to product keys")
    kept = index_and_remove_some(engine)
    with engine.begin() as connection:
        definition = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_documents'").scalar_one()
        connection.exec_driver_sql(definition.replace("search_documents", "search_documents_copy", 1))
        columns = ", ".join(row[1] for row in connection.exec_driver_sql("PRAGMA table_info(search_documents)"))
        connection.exec_driver_sql(  # column by column, as Alembic's batch mode copies a table it changes
            f"INSERT INTO search_documents_copy ({columns}) SELECT {columns} FROM search_documents")
        connection.exec_driver_sql("DROP TABLE search_documents")
        connection.exec_driver_sql("ALTER TABLE search_documents_copy RENAME TO search_documents")
    assert_exact_answers(engine, kept)


def test_documents_keep_their_ids_across_the_document_ids_revision_both_ways(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        migrate(engine, "0006")
        kept = index_and_remove_some(engine)
        ids_before = _document_ids(engine)
        for revision, down in (("0007", False), ("0006", True), ("0007", False)):
            migrate(engine, revision, down=down)
            assert _document_ids(engine) == ids_before
            assert_exact_answers(engine, kept)
        with SqlCatalogUnitOfWork(engine) as uow:  # indexing goes on after the revision
            uow.search.index_many([numbered(1), numbered(20)])
            uow.commit()
        assert_exact_answers(engine, sorted([*kept, 1, 20]))
    finally:
        engine.dispose()


def _document_ids(engine: Engine) -> dict[str, int]:
    if engine.dialect.name != "sqlite":
        return {}
    with engine.connect() as connection:
        return {key: rowid for key, rowid in connection.exec_driver_sql("SELECT product_key, rowid FROM search_documents")}
