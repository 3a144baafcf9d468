"""Schedule's published ``bouts`` product: its records as results reads them, and its HTTP port.

The port is asked when the replica has not seen a bout yet.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx

from results.domain.model import BoutSnapshot

BOUT_FIELDS = (
    "bout_id", "card_id", "card_date", "red_fighter_id", "blue_fighter_id", "weight_class", "scheduled_rounds",
    "status", "scheduled_at",
)


def bout_snapshot(record: dict[str, Any]) -> BoutSnapshot:
    """What results keeps of a ``bouts`` v1 record (event data and HTTP record alike)."""
    return BoutSnapshot(
        bout_id=record["bout_id"],
        card_id=record["card_id"],
        card_date=date.fromisoformat(record["card_date"]),
        red_fighter_id=record["red_fighter_id"],
        blue_fighter_id=record["blue_fighter_id"],
        weight_class=record["weight_class"],
        scheduled_rounds=int(record["scheduled_rounds"]),
        status=record["status"],
    )


class ScheduleHttpDirectory:
    """Reads ``GET /data-products/bouts/v1/<id>`` from schedule with results' own token (``auth``, renewed before
    it expires; it holds ``read:schedule.bouts.v1`` once schedule approved results' access request)."""

    def __init__(self, schedule_url: str, auth: httpx.Auth | None, timeout: float = 3.0) -> None:
        self.schedule_url = schedule_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout

    def find(self, bout_id: str) -> tuple[BoutSnapshot, datetime] | None:
        """The bout and its version, or None when schedule does not know it or cannot be reached.

        The version is the bout's ``scheduled_at``: the oldest time the state can be from, so every event about
        the bout — which the topic delivers in order — supersedes what was read here.
        """
        try:
            response = httpx.get(
                f"{self.schedule_url}/data-products/bouts/v1/{quote(bout_id, safe='')}",
                auth=self.auth,
                params={"fields": ",".join(BOUT_FIELDS)},
                timeout=self.timeout,
            )
        except httpx.HTTPError:
            return None  # schedule unreachable: the replica is all we know
        if response.status_code != 200:
            return None
        record = response.json()
        return bout_snapshot(record), datetime.fromisoformat(record["scheduled_at"])
