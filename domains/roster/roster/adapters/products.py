"""The ``fighters`` data product, v1: how a fighter looks on the wire (HTTP port and events alike)."""

from __future__ import annotations

from typing import Any

from mesh_platform.wire import utc_timestamp
from roster.adapters.repository import to_fighter
from roster.adapters.tables import FighterRow
from roster.domain.model import Fighter

PRODUCT = "fighters"
MAJOR = 1


def fighter_record_v1(fighter: Fighter) -> dict[str, Any]:
    """The contract's record for ``fighter``."""
    profile = fighter.profile
    return {
        "fighter_id": fighter.fighter_id,
        "name": profile.name,
        "nickname": profile.nickname,
        "date_of_birth": profile.date_of_birth.isoformat(),
        "nationality": profile.nationality,
        "weight_class": profile.weight_class.value,
        "stance": profile.stance.value,
        "height_cm": profile.height_cm,
        "reach_cm": profile.reach_cm,
        "status": fighter.status.value,
        "registered_at": utc_timestamp(fighter.registered_at),
        "updated_at": utc_timestamp(fighter.updated_at),
    }


def row_record_v1(row: FighterRow) -> dict[str, Any]:
    """The contract's record for a stored row."""
    return fighter_record_v1(to_fighter(row))

