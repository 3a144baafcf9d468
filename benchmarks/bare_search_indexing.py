"""The baseline of catalog search indexing: the same documents stored and indexed by bare SQL (``sqlite3`` or
``psycopg`` directly, no application code) into a store with the catalog's own tables and indexes.

It is the floor the database's own work sets (FTS5 tokenising and merging; PostgreSQL parsing the text into the
generated ``tsvector`` and keeping the GIN indexes): the documents, their facet codes and packed facet numbers are
prepared before timing, and each batch is three to four multi-row statements, as few as the tables allow.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from array import array
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from catalog.adapters.search_facets import FacetValues
from catalog.domain.search_document import SearchDocument

Row = tuple[Any, ...]


def bare_index(connection: sqlite3.Connection | psycopg.Connection[Any], documents: Sequence[SearchDocument],
               batch: int, process_cpu: Callable[[int | None], float | None]) -> tuple[float, float, float | None]:
    """Store and index ``documents`` in batches of ``batch`` in one transaction: wall seconds, CPU seconds of this
    process and of the PostgreSQL server process (None on SQLite or where it cannot be read)."""
    pairs = {d.product_key: [(f, v) for f, values in d.facets.items() for v in dict.fromkeys(values)] for d in documents}
    codes = {key: [FacetValues.code_of(f, v) for f, v in found] for key, found in pairs.items()}
    names = {code: pair for key, found in pairs.items() for code, pair in zip(codes[key], found, strict=True)}
    numbers = {key: array("q", (int(code, 16) for code in found)) for key, found in codes.items()}
    packed = {key: (found.tobytes() if sys.byteorder == "little" else _swapped(found)) for key, found in numbers.items()}
    rows = [(d.product_key, d.domain, d.product, d.name, d.description, d.field_names, d.tags,
             " ".join(codes[d.product_key]), json.dumps(d.summary)) for d in documents]
    values = [(code, facet, value) for code, (facet, value) in names.items()]
    backend = None if isinstance(connection, sqlite3.Connection) else connection.info.backend_pid
    server = process_cpu(backend)
    started, cpu = time.perf_counter(), time.process_time()
    if isinstance(connection, sqlite3.Connection):
        _sqlite(connection, rows, values, numbers, packed, batch)
    else:
        _postgres(connection, rows, values, batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    server_after = process_cpu(backend)
    return seconds, cpu, None if server is None or server_after is None else server_after - server


_INSERT_DOCUMENTS = ("INSERT INTO search_documents (product_key, domain, product, name, description, field_names, tags, "
                     "facet_codes, summary) VALUES ")


def _sqlite(connection: sqlite3.Connection, rows: list[Row], values: list[Row], numbers: dict[str, array[int]],
            packed: dict[str, bytes], batch: int) -> None:
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO search_facet_values (code, facet, value) VALUES (?, ?, ?)", values)
    for start in range(0, len(rows), batch):
        last = connection.execute("SELECT coalesce(max(rowid), 0) FROM search_documents").fetchone()[0]
        connection.executemany(_INSERT_DOCUMENTS + "(?, ?, ?, ?, ?, ?, ?, ?, ?)", rows[start: start + batch])
        connection.execute("INSERT INTO search_fts (rowid, product_key, name, description, field_names, tags) "
                           "SELECT rowid, product_key, name, description, field_names, tags FROM search_documents "
                           "WHERE rowid > ?", [last])
        added = connection.execute("SELECT rowid, product_key FROM search_documents WHERE rowid > ?", [last]).fetchall()
        connection.executemany("INSERT INTO search_fts_hits (rowid, product_key, facets) VALUES (?, ?, ?)",
                               [(rowid, key, packed[key]) for rowid, key in added])
        connection.executemany("INSERT INTO search_facets (code, doc) VALUES (?, ?)",
                               [(number, rowid) for rowid, key in added for number in numbers[key]])
    connection.execute("COMMIT")


def _postgres(connection: psycopg.Connection[Any], rows: list[Row], values: list[Row], batch: int) -> None:
    with connection.transaction(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO search_facet_values (code, facet, value) VALUES (%s, %s, %s)", values)
        for start in range(0, len(rows), batch):
            cursor.executemany(_INSERT_DOCUMENTS + "(%s, %s, %s, %s, %s, %s, %s, %s, %s::json)",
                               rows[start: start + batch])


def _swapped(numbers: array[int]) -> bytes:
    copy = array("q", numbers)
    copy.byteswap()
    return copy.tobytes()
