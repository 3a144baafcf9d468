"""The ``fighter-records`` and ``rankings`` data products, v1: how they look on the wire (ports and events)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from mesh_platform.wire import utc_timestamp
from stats.domain.model import FighterRecord, Ranking

RECORDS_PRODUCT = "fighter-records"
RANKINGS_PRODUCT = "rankings"
MAJOR = 1


def fighter_record_v1(record: FighterRecord) -> dict[str, Any]:
    """The contract's record for ``record``."""
    wire = dict(record.__dict__)
    wire["last_fight_date"] = record.last_fight_date.isoformat() if record.last_fight_date else None
    wire["updated_at"] = utc_timestamp(record.updated_at)
    return wire


def ranking_v1(ranking: Ranking) -> dict[str, Any]:
    """The contract's record for ``ranking``."""
    return {
        "weight_class": ranking.weight_class,
        "entries": [dict(entry.__dict__) for entry in ranking.entries],
        "updated_at": utc_timestamp(ranking.updated_at),
    }


def record_row_v1(row: RowMapping) -> dict[str, Any]:
    """The contract's record for a stored fighter record (read path: no domain object needed)."""
    wire = dict(row)
    wire["last_fight_date"] = row["last_fight_date"].isoformat() if row["last_fight_date"] else None
    wire["updated_at"] = utc_timestamp(row["updated_at"])
    return wire


def ranking_row_v1(row: RowMapping) -> dict[str, Any]:
    """The contract's record for a stored ranking."""
    return {"weight_class": row["weight_class"], "entries": row["entries"], "updated_at": utc_timestamp(row["updated_at"])}
