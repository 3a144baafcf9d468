"""Roster's published ``fighters`` port, asked when the replica has not seen a fighter yet."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import httpx

from mesh_platform.domain_api import as_utc
from schedule.domain.model import FighterSnapshot

LOOKUP_LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=8)
"""Look-ups at once: one per command thread that misses the replica at the same moment."""


class RosterHttpDirectory:
    """Reads ``GET /data-products/fighters/v1/<id>`` from roster with schedule's own token (``auth``, renewed
    before it expires; it holds ``read:roster.fighters.v1`` once roster approved schedule's access request).

    One pooled client for every look-up: a booking that misses the replica asks at once over a kept-alive
    connection instead of opening a new one (TCP set-up, a fresh pool) while its command waits. :meth:`close` it
    when the service stops.
    """

    def __init__(
        self, roster_url: str, auth: httpx.Auth | None, timeout: float = 3.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.roster_url = roster_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self._client = httpx.Client(auth=auth, timeout=timeout, transport=transport, limits=LOOKUP_LIMITS)

    def find(self, fighter_id: str) -> tuple[FighterSnapshot, datetime] | None:
        try:
            response = self._client.get(
                f"{self.roster_url}/data-products/fighters/v1/{quote(fighter_id, safe='')}",
                params={"fields": "fighter_id,name,weight_class,status,updated_at"},
            )
        except httpx.HTTPError:
            return None  # roster unreachable: the replica is all we know
        if response.status_code != 200:
            return None
        record = response.json()
        snapshot = FighterSnapshot(record["fighter_id"], record["name"], record["weight_class"], record["status"])
        return snapshot, as_utc(datetime.fromisoformat(record["updated_at"]))

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()
