"""Consistent snapshots of a data product read from one table of the domain's own store.

A snapshot is every record of the product as of one moment: all rows are read in ONE read transaction
(PostgreSQL: ``REPEATABLE READ, READ ONLY``; SQLite: one ``BEGIN`` … read … end, which in WAL mode pins the database
as of the first read), so no record shows two states and no change committed meanwhile is half-seen. Rows stream in
chunks (a server-side cursor on PostgreSQL via ``stream_results``/``yield_per``), so reading never holds the whole
product in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select

from mesh_platform.store.product_source import SqlTableSource

CHUNK_ROWS = 5000


@dataclass(frozen=True)
class Snapshot:
    """An open snapshot: its time and its records, in chunks, in key order (valid inside the context only)."""

    taken_at: datetime
    chunks: Iterator[list[dict[str, Any]]]


class SnapshotSource(Protocol):
    """Where an analytical port reads whole-product snapshots from."""

    def snapshot(self, changed_since: tuple[str, datetime] | None = None) -> Any:
        """A context manager yielding a :class:`Snapshot`; ``changed_since`` = (change field, time) narrows it."""
        ...


class SqlTableSnapshots:
    """Snapshots of the product a :class:`SqlTableSource` serves (same table, same record mapping)."""

    def __init__(self, source: SqlTableSource, chunk_rows: int = CHUNK_ROWS) -> None:
        self.source = source
        self.chunk_rows = chunk_rows

    def has_column(self, name: str) -> bool:
        """Whether the table stores a column ``name`` (a change timestamp must be one to filter on it)."""
        return name in self.source.table.c

    @contextmanager
    def snapshot(self, changed_since: tuple[str, datetime] | None = None) -> Iterator[Snapshot]:
        """Open one read transaction and yield the snapshot; the transaction ends when the context exits.

        ``changed_since`` = ``(column, t)`` keeps the records whose change timestamp is at or after ``t`` (inclusive:
        a record changed at exactly ``t`` is never lost between two incremental snapshots).
        """
        source = self.source
        table = source.table
        conditions: list[ColumnElement[bool]] = []
        if changed_since is not None:
            column, since = changed_since
            conditions.append(table.c[column] >= since.astimezone(UTC))
        query = select(table).where(*conditions).order_by(source.key_column)
        engine = source.engine
        postgres = engine.dialect.name == "postgresql"
        options: dict[str, Any] = {"stream_results": True, "yield_per": self.chunk_rows}
        if postgres:
            options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with engine.connect() as connection:
            connection = connection.execution_options(**options)
            # The reported time is read BEFORE the transaction pins its snapshot: every change the snapshot misses
            # was stamped at or after it, so an incremental snapshot `since` this time picks it up.
            taken_at = datetime.now(UTC)
            if not postgres:
                # pysqlite opens no transaction for reads by itself; one explicit BEGIN makes every read below one
                # transaction (WAL: the database as of its first read).
                connection.exec_driver_sql("BEGIN")
            try:
                result = connection.execute(query)
                yield Snapshot(taken_at, self._chunks(result.mappings()))
            finally:
                connection.rollback()

    def _chunks(self, rows: Any) -> Iterator[list[dict[str, Any]]]:
        to_record = self.source.to_record
        for partition in rows.partitions(self.chunk_rows):
            yield [to_record(row) for row in partition]
