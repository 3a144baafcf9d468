"""The metric history of a service's own store: every value its quality checks measured, and how SPC judged it.

Table ``quality_metric_history`` (a platform table, created by the platform's Alembic revisions). One row per
measurement: the series it belongs to (a quality rule's key — a library or sql rule, the freshness SLO, or an SPC
rule's chart), when, the value and unit, and for charted points the verdict (``warmup``, ``in_control``,
``flagged``, ``normal``), the signals that fired and the limits used. Plain measurements have verdict ``measured``.
An owner may mark a flagged point normal (who, why, when): it then counts in later baselines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import sqlite

_ROW_ID = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")

HISTORY = Table(
    "quality_metric_history",
    MetaData(),
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("contract_id", String(255), nullable=False),
    Column("major", Integer, nullable=False),
    Column("series", String(512), nullable=False),
    Column("measure", String(64), nullable=False),
    Column("measured_at", DateTime(timezone=True), nullable=False),
    Column("value", Float, nullable=True),
    Column("unit", String(32), nullable=False),
    Column("verdict", String(16), nullable=False, index=True),
    Column("signals", JSON, nullable=False),
    Column("center", Float, nullable=True),
    Column("sigma", Float, nullable=True),
    Column("score", Float, nullable=True),
    Column("marked_by", String(255), nullable=True),
    Column("marked_reason", Text, nullable=True),
    Column("marked_at", DateTime(timezone=True), nullable=True),
    Index("ix_quality_metric_history_series", "contract_id", "major", "series", "measured_at"),
)


class PointNotFound(LookupError):
    """No measured point with that id, or it is not a flagged point."""


@dataclass(frozen=True)
class MetricPoint:
    """One row of the history."""

    id: int
    contract_id: str
    major: int
    series: str
    measure: str
    measured_at: datetime
    value: float | None
    unit: str
    verdict: str
    signals: list[str]
    center: float | None
    sigma: float | None
    score: float | None
    marked_by: str | None
    marked_reason: str | None
    marked_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = dict(self.__dict__)
        for name in ("measured_at", "marked_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


class MetricHistory:
    """Reads and writes ``quality_metric_history``; keeps ``retention`` of it (older rows are pruned as it grows)."""

    def __init__(self, engine: Engine, retention: timedelta = timedelta(days=56)) -> None:
        self.engine = engine
        self.retention = retention

    def add(self, contract_id: str, major: int, series: str, measure: str, at: datetime, value: float | None,
            unit: str, *, verdict: str = "measured", signals: tuple[str, ...] = (), center: float | None = None,
            sigma: float | None = None, score: float | None = None) -> int:
        """Record one measured value (and its judgement, for a charted point); returns its id."""
        with self.engine.begin() as connection:
            connection.execute(delete(HISTORY).where(
                HISTORY.c.contract_id == contract_id, HISTORY.c.major == major, HISTORY.c.series == series,
                HISTORY.c.measured_at < at - self.retention,
            ))
            inserted = connection.execute(insert(HISTORY).values(
                contract_id=contract_id, major=major, series=series, measure=measure, measured_at=at, value=value,
                unit=unit, verdict=verdict, signals=list(signals), center=_finite(center), sigma=_finite(sigma),
                score=_finite(score),
            ))
            key = inserted.inserted_primary_key
            assert key is not None  # an insert of one row always has its key
            return int(key[0])

    def series(self, contract_id: str, major: int, series: str, limit: int = 500) -> list[MetricPoint]:
        """The newest ``limit`` points of one series, oldest first."""
        query = (
            select(HISTORY)
            .where(HISTORY.c.contract_id == contract_id, HISTORY.c.major == major, HISTORY.c.series == series)
            .order_by(HISTORY.c.measured_at.desc(), HISTORY.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_point(row) for row in reversed(rows)]

    def flagged(self, limit: int = 100) -> list[MetricPoint]:
        """Flagged points not marked normal, newest first."""
        query = select(HISTORY).where(HISTORY.c.verdict == "flagged").order_by(HISTORY.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [_point(row) for row in connection.execute(query).mappings()]

    def flagged_counts(self) -> dict[tuple[str, int, str], int]:
        """How many points of each ``(contract_id, major, series)`` are flagged and not marked normal."""
        query = (
            select(HISTORY.c.contract_id, HISTORY.c.major, HISTORY.c.series, func.count())
            .where(HISTORY.c.verdict == "flagged")
            .group_by(HISTORY.c.contract_id, HISTORY.c.major, HISTORY.c.series)
        )
        with self.engine.connect() as connection:
            return {(cid, major, series): count for cid, major, series, count in connection.execute(query)}

    def get(self, point_id: int) -> MetricPoint:
        """One point; :class:`PointNotFound` if there is none with ``point_id``."""
        with self.engine.connect() as connection:
            row = connection.execute(select(HISTORY).where(HISTORY.c.id == point_id)).mappings().first()
        if row is None:
            raise PointNotFound(f"no measured point {point_id}")
        return _point(row)

    def mark_normal(self, point_id: int, *, by: str, reason: str) -> MetricPoint:
        """An owner's word that a flagged point is normal: it joins later baselines. :class:`PointNotFound` if the
        point is unknown or not flagged."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(HISTORY)
                .where(HISTORY.c.id == point_id, HISTORY.c.verdict == "flagged")
                .values(verdict="normal", marked_by=by, marked_reason=reason, marked_at=datetime.now(UTC))
            ).rowcount
        if not changed:
            raise PointNotFound(f"no flagged point {point_id}")
        return self.get(point_id)


def _finite(value: float | None) -> float | None:
    return value if value is None or abs(value) < float("inf") else None


def _point(row: Any) -> MetricPoint:
    data = {column.name: row[column.name] for column in HISTORY.columns}
    for name in ("measured_at", "marked_at"):  # SQLite returns naive datetimes: they were written in UTC
        if data[name] is not None and data[name].tzinfo is None:
            data[name] = data[name].replace(tzinfo=UTC)
    data["signals"] = list(data["signals"] or [])
    return MetricPoint(**data)
