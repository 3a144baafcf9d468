"""Roster's published ``fighters`` port, asked when the replica has not seen a fighter yet."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import httpx

from mesh_platform.domain_api import as_utc
from schedule.domain.model import FighterSnapshot


class RosterHttpDirectory:
    """Reads ``GET /data-products/fighters/v1/<id>`` from roster with schedule's own token (``auth``, renewed
    before it expires; it holds ``read:roster.fighters.v1`` once roster approved schedule's access request)."""

    def __init__(self, roster_url: str, auth: httpx.Auth | None, timeout: float = 3.0) -> None:
        self.roster_url = roster_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout

    def find(self, fighter_id: str) -> tuple[FighterSnapshot, datetime] | None:
        try:
            response = httpx.get(
                f"{self.roster_url}/data-products/fighters/v1/{quote(fighter_id, safe='')}",
                auth=self.auth,
                params={"fields": "fighter_id,name,weight_class,status,updated_at"},
                timeout=self.timeout,
            )
        except httpx.HTTPError:
            return None  # roster unreachable: the replica is all we know
        if response.status_code != 200:
            return None
        record = response.json()
        snapshot = FighterSnapshot(record["fighter_id"], record["name"], record["weight_class"], record["status"])
        return snapshot, as_utc(datetime.fromisoformat(record["updated_at"]))
