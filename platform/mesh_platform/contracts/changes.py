"""What a change between two contract versions is: its place, its values and its impact on consumers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Impact(StrEnum):
    """How a change affects consumers."""

    BREAKING = "breaking"
    COMPATIBLE = "compatible"
    DOCUMENTATION = "documentation"


@dataclass(frozen=True)
class Change:
    """One difference between two versions: where, what it was, what it is, and why it (does not) break."""

    path: str
    rule: str
    before: Any
    after: Any
    impact: Impact
    reason: str

    @property
    def breaking(self) -> bool:
        return self.impact is Impact.BREAKING


@dataclass(frozen=True)
class VersionFailure:
    """A change the version number does not account for."""

    path: str
    before: Any
    after: Any
    reason: str


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def summarized(value: Any) -> Any:
    text = canonical_json(value)
    return text if len(text) <= 80 else text[:77] + "..."


def as_list(values: Iterable[Any] | None) -> list[Any] | None:
    return list(values) if values is not None else None
