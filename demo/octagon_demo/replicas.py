"""Waits until a domain's replica of another domain's product has caught up, before commands that rely on it.

Schedule books a bout only for fighters it knows; results records a result only for a bout it knows. Each learns them
from the other domain's events (outbox → Kafka → its subscription) and, for one it has not seen yet, asks the other
domain over HTTP while its command's transaction holds the store. Sending the bookings the moment roster accepted
the fighters sends every one of them down that slow path: the profile of a demo load showed two-thirds of a booking's
time in those lookups, with the write lock held, so the subscription that would have filled the replica kept failing
with "database is locked" and never caught up. Waiting the few seconds for the replica first keeps every command on
the fast path.

Both ends report their progress on ``GET /ready`` (``pipeline``: the outbox's pending rows, each subscription's
lag per topic partition).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

POLL_SECONDS = 0.5
WAIT_SECONDS = 180.0


@dataclass(frozen=True)
class Backlog:
    """Events of ``upstream`` not yet applied by ``downstream``: unpublished outbox rows plus the subscription's lag."""

    pending: int
    lag: int

    @property
    def total(self) -> int:
        return self.pending + self.lag


class ReplicaWatch:
    """Reads both ends of an event flow from their ``/ready`` and waits for it to drain."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        poll: float = POLL_SECONDS,
        limit: float = WAIT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.poll = poll
        self.limit = limit
        self.sleep = sleep
        self.clock = clock

    def backlog(self, upstream: tuple[str, str], downstream_url: str) -> Backlog | None:
        """How far ``downstream`` is behind ``upstream`` (its name and URL); None when either cannot say."""
        name, upstream_url = upstream
        source, sink = self._pipeline(upstream_url), self._pipeline(downstream_url)
        if source is None or sink is None:
            return None
        pending = (source.get("outbox") or {}).get("pending")
        lag = 0
        for subscription in (sink.get("subscriptions") or {}).values():
            consumed = [behind for partition, behind in (subscription.get("lag_by_partition") or {}).items()
                        if str(partition).startswith(f"{name}.")]
            lag += sum(behind for behind in consumed if isinstance(behind, int))
            # A failing subscription's lag is as of its last poll: it is behind until it consumes again.
            if consumed and subscription.get("consecutive_failures"):
                lag = max(lag, 1)
        return Backlog(pending if isinstance(pending, int) else 0, lag)

    def wait(self, upstream: tuple[str, str], downstream_url: str,
             shown: Callable[[Backlog], None] = lambda backlog: None) -> str | None:
        """Wait until nothing of ``upstream`` is left for ``downstream``; a note saying why not, if it was not."""
        deadline, drained = self.clock() + self.limit, 0
        while True:
            backlog = self.backlog(upstream, downstream_url)
            if backlog is None:
                return f"could not read the event pipeline of {upstream[0]} or its consumer; did not wait for it"
            shown(backlog)
            # Twice in a row: the relay may have claimed rows the consumer has not been told of yet.
            drained = drained + 1 if backlog.total == 0 else 0
            if drained == 2:
                return None
            if self.clock() >= deadline:
                return (f"{upstream[0]}'s events still not all applied downstream after {self.limit:.0f}s "
                        f"({backlog.pending} unpublished, {backlog.lag} not consumed); went on")
            self.sleep(self.poll)

    def _pipeline(self, base_url: str) -> dict[str, Any] | None:
        try:
            response = self.client.get(f"{base_url.rstrip('/')}/ready", timeout=10.0)
            document = response.json()
        except (httpx.HTTPError, ValueError):
            return None
        pipeline = document.get("pipeline") if isinstance(document, dict) else None
        return pipeline if isinstance(pipeline, dict) else None
