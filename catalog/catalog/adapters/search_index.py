"""Full-text search over products with facets: SQLite FTS5 by default, PostgreSQL full text when on PostgreSQL.

Both keep the same ``search_documents`` table; they differ in the text index (an FTS5 virtual table kept by hand,
or a generated ``tsvector`` column with a GIN index) and in the query language the parsed search is compiled to.
One query returns every hit (facet filters applied) with its score and the codes of its facet values; facet counts
and the page are worked out from those rows, so a search reads the hits once however many facets it counts.
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections import Counter
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from catalog.adapters.tables import SearchDocumentRow, SearchFacetValueRow
from catalog.domain.search_document import FACETS, SearchDocument, SearchHit, SearchResults
from catalog.domain.search_query import Node, to_fts5, to_tsquery

MAX_FACET_VALUES = 50
"""Facet values counted per facet in a search answer (the most frequent among the hits)."""


class FacetValues:
    """Facet values and their codes: a code is a hash of ``facet=value``, so it means the same in every process
    and in every transaction, committed or not; names are read from the store once per process, then only when an
    unknown code shows up."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str]] = {}

    @staticmethod
    def code_of(facet: str, value: str) -> str:
        return hashlib.blake2b(f"{facet}={value}".encode(), digest_size=6).hexdigest()

    def name_of(self, session: Session, code: str) -> tuple[str, str]:
        if code not in self._names:
            rows = session.execute(select(SearchFacetValueRow.code, SearchFacetValueRow.facet, SearchFacetValueRow.value))
            self._names.update((row_code, (facet, value)) for row_code, facet, value in rows)
        return self._names[code]

    def add(self, session: Session, facet: str, value: str) -> str:
        code = self.code_of(facet, value)
        if code not in self._names and session.get(SearchFacetValueRow, code) is None:
            session.add(SearchFacetValueRow(code=code, facet=facet, value=value))
        self._names[code] = (facet, value)
        return code


_FACET_VALUES: WeakKeyDictionary[Engine, FacetValues] = WeakKeyDictionary()


class SqlSearchIndex:
    """The parts both engines share: documents, facet codes, filtering, paging and facet counts."""

    higher_score_is_better = False

    def __init__(self, session: Session) -> None:
        self.session = session
        engine = session.get_bind()
        self.facet_values = _FACET_VALUES.setdefault(engine, FacetValues())  # type: ignore[arg-type]

    def index(self, document: SearchDocument) -> None:
        """Insert or replace the search document of one product."""
        self.remove(document.product_key)
        codes = [self.facet_values.add(self.session, facet, value)
                 for facet, values in document.facets.items() for value in dict.fromkeys(values)]
        self.session.add(
            SearchDocumentRow(
                product_key=document.product_key, domain=document.domain, product=document.product,
                name=document.name, description=document.description, field_names=document.field_names,
                tags=document.tags, facet_codes=" ".join(codes), summary=document.summary,
            )
        )
        self.session.flush()
        self._index_text(document)

    def remove(self, product_key: str) -> None:
        self._remove_text(product_key)
        self.session.execute(delete(SearchDocumentRow).where(SearchDocumentRow.product_key == product_key))

    def search(self, tree: Node | None, filters: dict[str, str], *, limit: int, offset: int) -> SearchResults:
        """Products matching ``tree`` (all if None) and every facet filter, best first, with facet counts."""
        unknown = set(filters) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facet(s) {sorted(unknown)}")
        params: dict[str, Any] = {}
        conditions = []
        for position, (facet, value) in enumerate(sorted(filters.items())):
            code = self.facet_values.code_of(facet, value)
            conditions.append(f"(' ' || d.facet_codes || ' ') LIKE :f{position}")
            params[f"f{position}"] = f"% {code} %"
        if tree is None:
            sql = self._all_sql() + " WHERE " + (" AND ".join(conditions) or "1 = 1")
        else:
            sql = self._match_sql() + "".join(f" AND {condition}" for condition in conditions)
            params["q"] = self._compile(tree)
        rows = self.session.execute(text(sql), params).all()
        counts = Counter(" ".join([row[2] for row in rows]).split())
        facets: dict[str, list[tuple[str, int]]] = {facet: [] for facet in FACETS}
        for code, count in counts.most_common():
            facet, value = self.facet_values.name_of(self.session, code)
            if len(facets[facet]) < MAX_FACET_VALUES:
                facets[facet].append((value, count))
        for values in facets.values():
            values.sort(key=lambda item: (-item[1], item[0]))
        if tree is None:  # no relevance to rank by: domain, then product
            page = sorted(rows, key=itemgetter(0))[offset: offset + limit]
        elif self.higher_score_is_better:
            page = heapq.nlargest(offset + limit, rows, key=itemgetter(1))[offset:]
        else:
            page = heapq.nsmallest(offset + limit, rows, key=itemgetter(1))[offset:]
        summaries = self._summaries([row[0] for row in page])
        hits = [SearchHit(row[0], float(row[1]), summaries[row[0]]) for row in page]
        return SearchResults(len(rows), hits, facets)

    def _summaries(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        if not keys:
            return {}
        rows = self.session.execute(
            select(SearchDocumentRow.product_key, SearchDocumentRow.summary).where(SearchDocumentRow.product_key.in_(keys))
        )
        # JSON columns come back as text from raw SQL on SQLite and as objects elsewhere.
        return {key: json.loads(summary) if isinstance(summary, str) else dict(summary) for key, summary in rows}

    # engine-specific -------------------------------------------------------------------------------------------

    def _all_sql(self) -> str:
        """SQL selecting ``product_key, score, facet_codes`` of every document (table alias ``d``)."""
        return "SELECT d.product_key, 0.0, d.facet_codes FROM search_documents d"

    def _match_sql(self) -> str:
        """SQL selecting ``product_key, score, facet_codes`` of every document matching ``:q``."""
        raise NotImplementedError

    def _compile(self, tree: Node) -> str:
        raise NotImplementedError

    def _index_text(self, document: SearchDocument) -> None:
        """Keep the engine's text index in step with ``search_documents``."""

    def _remove_text(self, product_key: str) -> None:
        """Drop ``product_key`` from the engine's text index."""


class SqliteSearchIndex(SqlSearchIndex):
    """FTS5 with bm25 ranking (lower is better); names weigh most, then tags, field names, descriptions."""

    def _all_sql(self) -> str:
        return "SELECT d.product_key, 0.0, d.facet_codes FROM search_fts_hits d"

    def _match_sql(self) -> str:
        return (
            "SELECT d.product_key, bm25(search_fts, 0.0, 10.0, 1.0, 4.0, 6.0), d.facet_codes "
            "FROM search_fts JOIN search_fts_hits d ON d.rowid = search_fts.rowid WHERE search_fts MATCH :q"
        )

    def _compile(self, tree: Node) -> str:
        return to_fts5(tree)

    def _index_text(self, document: SearchDocument) -> None:
        # The text rows share the document row's rowid, so replacing a document never scans the text index.
        values = {"key": document.product_key, "name": document.name, "description": document.description,
                  "field_names": document.field_names, "tags": document.tags}
        self.session.execute(
            text(
                "INSERT INTO search_fts (rowid, product_key, name, description, field_names, tags) "
                "SELECT rowid, :key, :name, :description, :field_names, :tags FROM search_documents "
                "WHERE product_key = :key"
            ),
            values,
        )
        self.session.execute(
            text("INSERT INTO search_fts_hits (rowid, product_key, facet_codes) "
                 "SELECT rowid, product_key, facet_codes FROM search_documents WHERE product_key = :key"),
            values,
        )

    def _remove_text(self, product_key: str) -> None:
        for table in ("search_fts", "search_fts_hits"):
            self.session.execute(
                text(f"DELETE FROM {table} WHERE rowid = (SELECT rowid FROM search_documents WHERE product_key = :key)"),
                {"key": product_key},
            )


class PostgresSearchIndex(SqlSearchIndex):
    """The generated, weighted ``tsvector`` column of ``search_documents`` with ``ts_rank`` (higher is better)."""

    higher_score_is_better = True

    def _match_sql(self) -> str:
        return (
            "SELECT d.product_key, ts_rank(d.document, to_tsquery('simple', :q)), d.facet_codes FROM search_documents d "
            "WHERE d.document @@ to_tsquery('simple', :q)"
        )

    def _compile(self, tree: Node) -> str:
        return to_tsquery(tree)


def search_index_for(session: Session) -> SqlSearchIndex:
    """The search index that fits the store behind ``session``."""
    if session.get_bind().dialect.name == "postgresql":
        return PostgresSearchIndex(session)
    return SqliteSearchIndex(session)
