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

    ``error_kind`` (what failed and the exception's class) is safe to show anyone; ``last_error`` adds the exception's
    message, which may name hosts, SQL or data, so it is shown only to the domain's administrators.
    """

    state: str = "starting"
    last_error: str | None = None
    error_kind: str | None = None
    failing_since: float | None = None
    consecutive_failures: int = 0
    retries_total: int = 0
    lag: dict[str, int] = field(default_factory=dict)

    @property
    def total_lag(self) -> int:
        """Records waiting across every partition."""
        return sum(self.lag.values())

    def record_error(self, what: str, error: BaseException | None) -> None:
        """Remember why ``what`` (``batch``, ``consumer``, ``store``…) failed."""
        kind = type(error).__name__ if error is not None else "unknown error"
        self.error_kind = f"{what}: {kind}"
        self.last_error = f"{self.error_kind}: {error}"

    def clear_error(self) -> None:
        """Forget the last failure (the subscription works again)."""
        self.error_kind = None
        self.last_error = None

    def as_dict(self, *, detail: bool = False) -> dict[str, Any]:
        """A JSON-ready view; ``detail`` adds the last error's message (for administrators only)."""
        view = {
            "state": self.state,
            "lag": self.total_lag,
            "lag_by_partition": dict(self.lag),
            "consecutive_failures": self.consecutive_failures,
            "retries_total": self.retries_total,
            "failing_for_seconds": (
                round(time.monotonic() - self.failing_since, 1) if self.failing_since is not None else None
            ),
            "error": self.error_kind,
        }
        if detail:
            view["last_error"] = self.last_error
        return view
