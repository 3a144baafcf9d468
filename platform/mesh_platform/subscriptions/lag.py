"""How far behind a subscription is: per assigned partition, the high watermark minus the group's committed offset."""

from __future__ import annotations

import logging
from typing import Any

from mesh_platform.subscriptions.health import SubscriptionHealth

log = logging.getLogger(__name__)


class ConsumerStalled(Exception):
    """Records wait on assigned partitions but the consumer has returned none for too long: it is rebuilt."""


class LagObserver:
    """Observes a consumer's lag into ``health.lag``; remembers the offsets this group committed.

    The committed offset of a partition is read from the broker once (when assigned) and then kept from the
    subscription's own commits, so observing lag after every batch costs no round trip.
    """

    def __init__(self, health: SubscriptionHealth) -> None:
        self.health = health
        self._committed: dict[Any, int] = {}  # per partition, the next offset this group committed

    def reset(self) -> None:
        """Forget the committed offsets (a new consumer, or another instance may have moved them)."""
        self._committed = {}

    def committed(self, offsets: dict[Any, int]) -> None:
        """Remember the next offsets the subscription just committed, per partition."""
        self._committed.update(offsets)

    def still_lagging(self, consumer: Any) -> bool:
        """Re-read the group's committed offsets and the lag; whether records still wait."""
        self.reset()
        self.observe(consumer)
        return self.health.total_lag > 0

    def observe(self, consumer: Any) -> None:
        """Lag per assigned partition: its high watermark (from the last fetch) minus the committed offset."""
        lag: dict[str, int] = {}
        try:
            assigned = consumer.assignment()
            for revoked in set(self._committed) - set(assigned):  # if it comes back, its offset is read anew
                del self._committed[revoked]
            for partition in assigned:
                highwater = consumer.highwater(partition)  # None before the first fetch
                if highwater is None:
                    continue
                if partition not in self._committed:
                    self._committed[partition] = consumer.committed(partition) or 0
                lag[f"{partition.topic}/{partition.partition}"] = max(0, highwater - self._committed[partition])
        except Exception:  # lag is an observation; failing to take it must not stop consuming
            log.debug("lag observation failed", exc_info=True)
            return
        self.health.lag = lag
