"""The ``fighters`` data product, v1: how a fighter looks on the HTTP port and on the topic.

Events carry the record without its personal data: ``roster.fighters.v1`` is readable by every principal granted
the product, so the date of birth never goes there (the contract's ``withheldFields``); consumers that need it read
the HTTP port with the product's PII scope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from mesh_platform.wire import utc_timestamp
from roster.domain.model import Fighter

PRODUCT = "fighters"
MAJOR = 1
# Personal data never published on the topic (declared as `withheldFields` on the contract's kafka server).
WITHHELD_FROM_EVENTS = frozenset({"date_of_birth"})


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


def fighter_event_v1(fighter: Fighter) -> dict[str, Any]:
    """The data of a fighter event: the contract's record without the fields withheld from the topic."""
    return {name: value for name, value in fighter_record_v1(fighter).items() if name not in WITHHELD_FROM_EVENTS}


def row_record_v1(row: RowMapping) -> dict[str, Any]:
    """The contract's record for a stored row (read path: no domain object needed)."""
    return {
        "fighter_id": row["fighter_id"],
        "name": row["name"],
        "nickname": row["nickname"],
        "date_of_birth": row["date_of_birth"].isoformat(),
        "nationality": row["nationality"],
        "weight_class": row["weight_class"],
        "stance": row["stance"],
        "height_cm": row["height_cm"],
        "reach_cm": row["reach_cm"],
        "status": row["status"],
        "registered_at": utc_timestamp(row["registered_at"]),
        "updated_at": utc_timestamp(row["updated_at"]),
    }

