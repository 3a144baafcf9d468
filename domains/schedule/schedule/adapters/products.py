"""The ``event-cards`` and ``bouts`` data products, v1: how cards and bouts look on the wire."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from mesh_platform.wire import utc_timestamp
from schedule.domain.model import Bout, EventCard

CARDS_PRODUCT = "event-cards"
BOUTS_PRODUCT = "bouts"
MAJOR = 1


def card_record_v1(card: EventCard) -> dict[str, Any]:
    return {
        "card_id": card.card_id,
        "name": card.name,
        "date": card.date.isoformat(),
        "venue": card.venue.venue,
        "city": card.venue.city,
        "country": card.venue.country,
        "status": card.status.value,
        "announced_at": utc_timestamp(card.announced_at),
    }


def bout_record_v1(bout: Bout) -> dict[str, Any]:
    return {
        "bout_id": bout.bout_id,
        "card_id": bout.card_id,
        "card_date": bout.card_date.isoformat(),
        "red_fighter_id": bout.red_fighter_id,
        "blue_fighter_id": bout.blue_fighter_id,
        "weight_class": bout.weight_class,
        "title_bout": bout.title_bout,
        "main_event": bout.main_event,
        "order_on_card": bout.order_on_card,
        "scheduled_rounds": bout.scheduled_rounds,
        "status": bout.status.value,
        "scheduled_at": utc_timestamp(bout.scheduled_at),
    }


def card_row_record_v1(row: RowMapping) -> dict[str, Any]:
    """The contract's record for a stored card (read path: no domain object needed)."""
    return {
        "card_id": row["card_id"],
        "name": row["name"],
        "date": row["date"].isoformat(),
        "venue": row["venue"],
        "city": row["city"],
        "country": row["country"],
        "status": row["status"],
        "announced_at": utc_timestamp(row["announced_at"]),
    }


def bout_row_record_v1(row: RowMapping) -> dict[str, Any]:
    """The contract's record for a stored bout (read path: no domain object needed)."""
    record = dict(row)
    record["card_date"] = row["card_date"].isoformat()
    record["scheduled_at"] = utc_timestamp(row["scheduled_at"])
    return record

