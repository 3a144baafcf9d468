"""Schedule's published ``bouts`` product: its records as results reads them, and its HTTP port.

The port is asked when the replica has not seen a bout yet.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from results.adapters.consumed_events import ScheduleBoutsV1
from results.domain.model import BoutSnapshot

LOOKUP_LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=8)
"""Look-ups at once: one per command thread that misses the replica at the same moment."""


def bout_snapshot(bout: ScheduleBoutsV1) -> BoutSnapshot:
    """What results keeps of a ``bouts`` v1 record (event and HTTP record alike, typed by schedule's contract)."""
    return BoutSnapshot(
        bout_id=bout.bout_id,
        card_id=bout.card_id,
        card_date=bout.card_date,
        red_fighter_id=bout.red_fighter_id,
        blue_fighter_id=bout.blue_fighter_id,
        weight_class=bout.weight_class,
        scheduled_rounds=bout.scheduled_rounds,
        status=bout.status,
    )


class ScheduleHttpDirectory:
    """Reads ``GET /data-products/bouts/v1/<id>`` from schedule with results' own token (``auth``, renewed before
    it expires; it holds ``read:schedule.bouts.v1`` once schedule approved results' access request).

    One pooled client for every look-up: a result that misses the replica asks at once over a kept-alive
    connection instead of opening a new one while its command waits. :meth:`close` it when the service stops.
    """

    def __init__(
        self, schedule_url: str, auth: httpx.Auth | None, timeout: float = 3.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.schedule_url = schedule_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self._client = httpx.Client(auth=auth, timeout=timeout, transport=transport, limits=LOOKUP_LIMITS)

    def find(self, bout_id: str) -> tuple[BoutSnapshot, datetime] | None:
        """The bout and its version, or None when schedule does not know it or cannot be reached.

        The version is the bout's ``scheduled_at``: the oldest time the state can be from, so every event about
        the bout — which the topic delivers in order — supersedes what was read here.
        """
        try:
            response = self._client.get(f"{self.schedule_url}/data-products/bouts/v1/{quote(bout_id, safe='')}")
        except httpx.HTTPError:
            return None  # schedule unreachable: the replica is all we know
        if response.status_code != 200:
            return None
        try:
            bout = ScheduleBoutsV1.model_validate(response.json())
        except (ValueError, ValidationError):
            return None  # not a bouts v1 record: trust only the replica
        return bout_snapshot(bout), bout.scheduled_at

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()
