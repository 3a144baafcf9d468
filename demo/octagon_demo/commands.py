"""What the demo loader sends: the kinds of command (service, route, idempotency key, batched or not), one order per
command, and how orders are packed into batches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

BATCH_LINES = 250
"""Commands per batch: a few hundred amortise a request and a commit and still show progress every second or so."""


@dataclass(frozen=True)
class CommandKind:
    """One kind of command the loader sends: the service, the single route and whether it goes in batches."""

    phase: str
    service: str
    path: str
    """The single route, with its path parameters (``/cards/{card_id}/bouts``)."""
    key: str
    """The idempotency key's kind (``demo-<seed>-<key>-<n>``)."""
    batched: bool
    """Sent as NDJSON batches (the service has ``batch_path``) — the one way this kind travels."""

    @property
    def batch_path(self) -> str:
        """The batch route: the single path without its parameter segments, then ``/batch``."""
        kept = [part for part in self.path.split("/") if part and not part.startswith("{")]
        return "/" + "/".join([*kept, "batch"])

    def single_path(self, params: dict[str, str]) -> str:
        return self.path.format(**params)


KINDS = {
    "fighters": CommandKind("fighters", "roster", "/fighters", "fighter", batched=True),
    "cards": CommandKind("cards", "schedule", "/cards", "card", batched=True),
    "bouts": CommandKind("bouts", "schedule", "/cards/{card_id}/bouts", "bout", batched=True),
    "results": CommandKind("results", "results", "/bouts/{bout_id}/result", "result", batched=True),
    "retirements": CommandKind("retirements", "roster", "/fighters/{fighter_id}/retirement", "retirement",
                               batched=True),
}


@dataclass(frozen=True)
class Order:
    """One command to send: which item of its phase it is for, its key suffix, body and path parameters."""

    index: int
    body: dict[str, Any] | None
    params: dict[str, str] = field(default_factory=dict)


def idempotency_prefix(seed: int, scale: float) -> str:
    """``demo-<seed>``; a shrunken data set gets keys of its own so it never collides with the full one."""
    return f"demo-{seed}" if scale == 1.0 else f"demo-{seed}-scale{scale:g}"


def each(orders: list[Order]) -> list[list[Order]]:
    """Commands that may go in any order: a group each."""
    return [[order] for order in orders]


def chunks(groups: list[list[Order]], size: int) -> Iterator[list[Order]]:
    """Groups packed into chunks of at most ``size`` orders (or one bigger group): a group is never split, so the
    commands of a group reach the service in their order."""
    chunk: list[Order] = []
    for group in groups:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk
