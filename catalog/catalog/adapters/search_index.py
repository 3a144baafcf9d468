"""Full-text search over products with facets: SQLite FTS5 by default, PostgreSQL full text when on PostgreSQL.

Both keep the same ``search_documents`` table; they differ in the text index (an FTS5 table over the text of
``search_documents`` as external content, kept by hand, or a generated ``tsvector`` column with a GIN index), in
the query language the parsed search is compiled to, and in how facets are filtered and counted. On SQLite one
query reads every hit (facet filters applied through an index of facet postings) with its score and its facet codes
packed as 8-byte numbers, and Python counts them in C loops; on PostgreSQL one statement returns the page, the facet
counts and the total, counted by the server. Either way a search reads the hits once however many facets it counts.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
import sys
from array import array
from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Table, delete, insert
from sqlalchemy.orm import Session

from catalog.adapters.search_facets import IN_LIST, FacetValues
from catalog.adapters.tables import SearchDocumentRow
from catalog.domain.search_document import FACETS, SearchDocument, SearchHit, SearchResults
from catalog.domain.search_query import Node, to_fts5, to_tsquery

MAX_FACET_VALUES = 50
"""Facet values counted per facet in a search answer (the most frequent among the hits)."""

DOCUMENTS: Table = SearchDocumentRow.__table__  # type: ignore[attr-defined]
_FACET_VALUES: WeakKeyDictionary[Engine, FacetValues] = WeakKeyDictionary()
Page = list[tuple[str, float, dict[str, Any]]]
Counts = list[tuple[tuple[str, str], int]]


class SqlSearchIndex:
    """The parts both engines share: documents, facet codes, filtering, paging and facet counts."""

    def __init__(self, session: Session) -> None:
        self.session = session
        engine = session.get_bind()
        self.facet_values = _FACET_VALUES.setdefault(engine, FacetValues())  # type: ignore[arg-type]

    def index(self, document: SearchDocument) -> None:
        """Insert or replace the search document of one product."""
        self.index_many([document])

    def index_many(self, documents: Sequence[SearchDocument]) -> None:
        """Insert or replace the search documents of many products with a few multi-row statements."""
        documents = list({document.product_key: document for document in documents}.values())  # the last wins
        if not documents:
            return
        self.remove_many([document.product_key for document in documents])
        pairs_of = {document.product_key: [(facet, value) for facet, values in document.facets.items()
                                           for value in dict.fromkeys(values)] for document in documents}
        self.facet_values.add_many(self.session, (pair for pairs in pairs_of.values() for pair in pairs))
        code_of = self.facet_values.code_of
        codes_of = {key: [code_of(facet, value) for facet, value in pairs] for key, pairs in pairs_of.items()}
        self.session.execute(insert(DOCUMENTS), [
            {"product_key": document.product_key, "domain": document.domain, "product": document.product,
             "name": document.name, "description": document.description, "field_names": document.field_names,
             "tags": document.tags, "facet_codes": " ".join(codes_of[document.product_key]),
             "summary": document.summary}
            for document in documents])
        self._index_text(codes_of)

    def remove(self, product_key: str) -> None:
        self.remove_many([product_key])

    def remove_many(self, product_keys: Sequence[str]) -> None:
        for chunk in _chunks(list(product_keys)):
            self._remove_text(chunk)
            self.session.execute(delete(DOCUMENTS).where(DOCUMENTS.c.product_key.in_(chunk)))

    def search(self, tree: Node | None, filters: dict[str, str], *, limit: int, offset: int) -> SearchResults:
        """Products matching ``tree`` (all if None) and every facet filter, best first, with facet counts."""
        unknown = set(filters) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facet(s) {sorted(unknown)}")
        codes = [self.facet_values.code_of(facet, value) for facet, value in sorted(filters.items())]
        page, total, counts = self._run(tree, codes, limit=limit, offset=offset)
        # Per facet, the most frequent values, ties by value: a free-text facet (tags) has thousands among the hits,
        # so they are ranked as plain tuples (compared in C) and only the kept ones become pairs.
        ranked: dict[str, list[tuple[int, str]]] = {facet: [] for facet in FACETS}
        for (facet, value), count in counts:
            values = ranked.get(facet)
            if values is not None:
                values.append((-count, value))
        facets = {facet: [(value, -negated) for negated, value in heapq.nsmallest(MAX_FACET_VALUES, values)]
                  for facet, values in ranked.items()}
        return SearchResults(total, [SearchHit(key, score, summary) for key, score, summary in page], facets)

    # engine-specific -------------------------------------------------------------------------------------------

    def _run(self, tree: Node | None, codes: list[str], *, limit: int, offset: int) -> tuple[Page, int, Counts]:
        """The page of ``(product_key, score, summary)``, the number of hits and the count of each facet value among
        them."""
        raise NotImplementedError

    def _index_text(self, codes_of: dict[str, list[str]]) -> None:
        """Keep the engine's text and facet indexes in step with the ``search_documents`` rows of these products
        (product key → codes of its facet values)."""

    def _remove_text(self, product_keys: list[str]) -> None:
        """Drop ``product_keys`` from the engine's text and facet indexes."""


class SqliteSearchIndex(SqlSearchIndex):
    """FTS5 with bm25 ranking (lower is better); names weigh most, then tags, field names, descriptions.

    ``search_fts`` indexes the text of ``search_documents`` (external content, same rowids): the text is stored
    once, and an entry is removed while its document row still holds the text it was made from. A document's
    rowid is its ``doc`` column (``INTEGER PRIMARY KEY``, revision 0007), so VACUUM or a copy of the table keeps it.

    ``search_fts_hits`` holds per document what a search reads of every hit (its key and its facet codes packed
    as 8-byte numbers), in rows small enough for thousands of hits to stay in the page cache; ``search_facets``
    holds the postings of each facet value, so filters are index lookups.
    """

    def _run(self, tree: Node | None, codes: list[str], *, limit: int, offset: int) -> tuple[Page, int, Counts]:
        filters = " AND h.rowid IN (SELECT doc FROM search_facets WHERE code = ?)" * len(codes)
        params: list[Any] = [self.facet_values.number_of(code) for code in codes]
        if tree is None:  # no relevance to rank by: domain, then product (the key)
            sql = "SELECT h.rowid, h.product_key, h.facets FROM search_fts_hits h WHERE 1 = 1" + filters
        else:  # hits by rowid: keys are read for the page only
            sql = ("SELECT h.rowid, bm25(search_fts, 0.0, 10.0, 1.0, 4.0, 6.0), h.facets FROM search_fts "
                   "JOIN search_fts_hits h ON h.rowid = search_fts.rowid WHERE search_fts MATCH ?" + filters)
            params.insert(0, to_fts5(tree))
        # Straight to the driver: thousands of hits wrapped as SQLAlchemy rows would cost more than the query.
        driver = self._driver()
        rows = driver.execute(sql, params).fetchall()
        numbers = array("q", b"".join([row[2] for row in rows]))
        if sys.byteorder != "little":
            numbers.byteswap()
        counter = Counter(numbers)
        counts = list(zip(self.facet_values.names_of_numbers(self.session, list(counter)), counter.values(), strict=True))
        if tree is None:
            page = sorted(rows, key=itemgetter(1))[offset: offset + limit]
        else:
            page = heapq.nsmallest(offset + limit, rows, key=itemgetter(1))[offset:]
        if not page:
            return [], len(rows), counts
        marks = ", ".join("?" * len(page))
        found = {rowid: (key, summary) for rowid, key, summary in driver.execute(
            f"SELECT rowid, product_key, summary FROM search_documents WHERE rowid IN ({marks})", [row[0] for row in page])}
        # pysqlite opens a transaction only to write, so these are two reads: a document removed in between is left out.
        return ([(found[row[0]][0], 0.0 if tree is None else row[1], json.loads(found[row[0]][1]))
                 for row in page if row[0] in found], len(rows), counts)

    def _index_text(self, codes_of: dict[str, list[str]]) -> None:
        # The text rows share the document row's rowid, so replacing a document never scans the text index; the
        # statements go straight to the driver with plain tuples (tens of thousands of facet postings per batch
        # would cost more to bind through SQLAlchemy than to insert).
        driver = self._driver()
        number_of = self.facet_values.number_of
        for chunk in _chunks(list(codes_of)):
            where = "WHERE product_key IN (" + ", ".join("?" * len(chunk)) + ")"
            driver.execute("INSERT INTO search_fts (rowid, product_key, name, description, field_names, tags) "
                           f"SELECT rowid, product_key, name, description, field_names, tags FROM search_documents "
                           f"{where}", chunk)
            hits: list[tuple[int, str, bytes]] = []
            postings: list[tuple[int, int]] = []
            for rowid, key in driver.execute(f"SELECT rowid, product_key FROM search_documents {where}", chunk):
                numbers = array("q", map(number_of, codes_of[key]))
                postings += zip(numbers, repeat(rowid))
                if sys.byteorder != "little":
                    numbers.byteswap()
                hits.append((rowid, key, numbers.tobytes()))
            driver.executemany("INSERT INTO search_fts_hits (rowid, product_key, facets) VALUES (?, ?, ?)", hits)
            driver.executemany("INSERT INTO search_facets (code, doc) VALUES (?, ?)", postings)

    def _remove_text(self, product_keys: list[str]) -> None:
        # search_fts indexes the text of search_documents (external content): its entries are removed while the
        # document rows still hold the text they were made from.
        rowids = "SELECT rowid FROM search_documents WHERE product_key IN (" + ", ".join("?" * len(product_keys)) + ")"
        driver = self._driver()
        for table, column in (("search_fts", "rowid"), ("search_fts_hits", "rowid"), ("search_facets", "doc")):
            driver.execute(f"DELETE FROM {table} WHERE {column} IN ({rowids})", product_keys)

    def _driver(self) -> sqlite3.Connection:
        """The session's own sqlite3 connection, in the session's transaction."""
        driver = self.session.connection().connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return driver


class PostgresSearchIndex(SqlSearchIndex):
    """The generated, weighted ``tsvector`` column of ``search_documents`` with ``ts_rank`` (higher is better);
    facet filters use the GIN index over the array of facet codes, and the server counts facet values."""

    def _run(self, tree: Node | None, codes: list[str], *, limit: int, offset: int) -> tuple[Page, int, Counts]:
        conditions = ["string_to_array(d.facet_codes, ' ') @> CAST(%(codes)s AS text[])"] if codes else []
        params: dict[str, Any] = {"codes": codes, "limit": limit, "offset": offset}
        if tree is None:
            hits = "SELECT d.product_key, 0.0 AS score, d.facet_codes FROM search_documents d"
            order = "product_key"
        else:
            hits = ("SELECT d.product_key, ts_rank(d.document, query) AS score, d.facet_codes "
                    "FROM search_documents d, to_tsquery('simple', %(q)s) query")
            conditions.insert(0, "d.document @@ query")
            order = "score DESC, product_key"
            params["q"] = to_tsquery(tree)
        if conditions:
            hits += " WHERE " + " AND ".join(conditions)
        # One statement, so one snapshot: it runs outside a transaction (no BEGIN and ROLLBACK round trips), and
        # straight on the driver (no statement compiled per search); the page's summaries come with it.
        if self.session.in_transaction():
            connection = self.session.connection()
        else:
            connection = self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        rows = connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            f"WITH hits AS MATERIALIZED ({hits}) "
            f"SELECT 0, p.product_key, p.score, d.summary FROM (SELECT product_key, score FROM hits ORDER BY {order} "
            "LIMIT %(limit)s OFFSET %(offset)s) p JOIN search_documents d ON d.product_key = p.product_key "
            "UNION ALL SELECT 1, code, count(*), NULL FROM hits, unnest(string_to_array(facet_codes, ' ')) AS code "
            "GROUP BY code UNION ALL SELECT 2, '', count(*), NULL FROM hits", params).fetchall()
        page = [(key, float(score), summary) for part, key, score, summary in rows if part == 0]
        page.sort(key=lambda hit: (-hit[1], hit[0]) if tree is not None else hit[0])
        total = next(int(count) for part, _key, count, _summary in rows if part == 2)
        codes_counted = [(code, int(count)) for part, code, count, _summary in rows if part == 1]
        names = self.facet_values.names_of(self.session, [code for code, _count in codes_counted])
        return page, total, list(zip(names, (count for _code, count in codes_counted), strict=True))


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[start: start + IN_LIST] for start in range(0, len(values), IN_LIST)]


def search_index_for(session: Session) -> SqlSearchIndex:
    """The search index that fits the store behind ``session``."""
    if session.get_bind().dialect.name == "postgresql":
        return PostgresSearchIndex(session)
    return SqliteSearchIndex(session)
