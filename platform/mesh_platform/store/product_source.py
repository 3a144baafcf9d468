"""A data-product source over one table of the domain's own store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Engine, select
from sqlalchemy.orm import Session


class SqlTableSource:
    """Reads product records from ``model``'s table, ordered by its key column (keyset pagination)."""

    def __init__(
        self,
        engine: Engine,
        model: type,
        key_column: Any,
        to_record: Callable[[Any], dict[str, Any]],
        filter_columns: Mapping[str, Any] | None = None,
    ) -> None:
        self.engine = engine
        self.model = model
        self.key_column = key_column
        self.to_record = to_record
        self.filter_columns = dict(filter_columns or {})

    def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` records after key ``after`` matching every filter (equality)."""
        conditions: list[ColumnElement[bool]] = [self.filter_columns[name] == value for name, value in filters.items()]
        if after is not None:
            conditions.append(self.key_column > after)
        query = select(self.model).where(*conditions).order_by(self.key_column).limit(limit)
        with Session(self.engine) as session:
            return [self.to_record(row) for row in session.scalars(query)]

    def get(self, key: str) -> dict[str, Any] | None:
        """The record with ``key``, or None."""
        with Session(self.engine) as session:
            row = session.scalars(select(self.model).where(self.key_column == key)).first()
            return self.to_record(row) if row is not None else None
