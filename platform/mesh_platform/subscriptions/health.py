"""What a subscription reports about itself: its state, its failures and how far behind it is."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SubscriptionHealth:
    """What a subscription reports about itself (``/ready``, ``/metrics``, ``mesh status``).

    ``state`` is ``starting`` (no consumer yet), ``consuming``, ``retrying`` (a batch keeps failing; ``last_error``
    says why) or ``stopped``. ``lag`` is, per ``topic/partition``, how many records the group has not committed yet.
    """

    state: str = "starting"
    last_error: str | None = None
    failing_since: float | None = None
    consecutive_failures: int = 0
    retries_total: int = 0
    lag: dict[str, int] = field(default_factory=dict)

    @property
    def total_lag(self) -> int:
        """Records waiting across every partition."""
        return sum(self.lag.values())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "state": self.state,
            "lag": self.total_lag,
            "lag_by_partition": dict(self.lag),
            "consecutive_failures": self.consecutive_failures,
            "retries_total": self.retries_total,
            "failing_for_seconds": (
                round(time.monotonic() - self.failing_since, 1) if self.failing_since is not None else None
            ),
            "last_error": self.last_error,
        }
