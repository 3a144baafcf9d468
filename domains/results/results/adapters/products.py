"""The ``bout-results`` data product, v1: how a result looks on the wire (HTTP port and events alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from mesh_platform.wire import utc_timestamp
from results.domain.model import BoutResult

PRODUCT = "bout-results"
MAJOR = 1


def result_record_v1(result: BoutResult) -> dict[str, Any]:
    """The contract's record for ``result``."""
    scores = result.judges_scores
    return {
        "bout_id": result.bout_id,
        "card_id": result.card_id,
        "bout_date": result.bout_date.isoformat(),
        "weight_class": result.weight_class,
        "red_fighter_id": result.red_fighter_id,
        "blue_fighter_id": result.blue_fighter_id,
        "outcome": result.outcome.value,
        "winner_fighter_id": result.winner_fighter_id,
        "method": result.method.value,
        "round": result.round,
        "time": result.time,
        "judges_scores": [score.__dict__ for score in scores] if scores is not None else None,
        "recorded_at": utc_timestamp(result.recorded_at),
    }


def row_record_v1(row: RowMapping) -> dict[str, Any]:
    """The contract's record for a stored row (read path: no domain object needed)."""
    record = dict(row)
    record["bout_date"] = row["bout_date"].isoformat()
    if row["judges_scores"] is not None:
        record["judges_scores"] = [
            {"judge": score["judge"], "red": score["red"], "blue": score["blue"]} for score in row["judges_scores"]
        ]
    record["recorded_at"] = utc_timestamp(row["recorded_at"])
    return record
