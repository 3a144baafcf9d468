"""A data-product source over one table of the domain's own store."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Engine, FromClause, select

RecordMapper = Callable[[Mapping[Any, Any]], dict[str, Any]]
"""Turns a stored row (a :class:`~sqlalchemy.engine.RowMapping`, or a mapping of column names made from one) into the
contract's record."""


class SqlTableSource:
    """Reads product records from ``table`` (a table, or a subquery joining others to it), ordered by its key column
    (keyset pagination).

    Rows are read with SQLAlchemy Core, not as ORM entities: a page of a data product is a read-only projection and
    skipping the identity map keeps list reads close to a bare endpoint's cost.
    """

    def __init__(
        self,
        engine: Engine,
        table: FromClause,
        key_column: str,
        to_record: RecordMapper,
        filter_columns: Iterable[str] = (),
    ) -> None:
        self.engine = engine
        self.table = table
        self.key_column = table.c[key_column]
        self.to_record = to_record
        self.filter_columns = {name: table.c[name] for name in filter_columns}

    def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` records after key ``after`` matching every filter (equality)."""
        conditions: list[ColumnElement[bool]] = [self.filter_columns[name] == value for name, value in filters.items()]
        if after is not None:
            conditions.append(self.key_column > after)
        query = select(self.table).where(*conditions).order_by(self.key_column).limit(limit)
        with self.engine.connect() as connection:
            return [self.to_record(row) for row in connection.execute(query).mappings()]

    def get(self, key: str) -> dict[str, Any] | None:
        """The record with ``key``, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(select(self.table).where(self.key_column == key)).mappings().first()
        return self.to_record(row) if row is not None else None
