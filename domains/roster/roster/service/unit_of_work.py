"""The ports the use cases need: a fighter repository and a unit of work that records events."""

from __future__ import annotations

from typing import Protocol

from roster.domain.events import FighterEvent
from roster.domain.model import Fighter


class FighterRepository(Protocol):
    def get(self, fighter_id: str) -> Fighter | None: ...

    def add(self, fighter: Fighter) -> None: ...

    def save(self, fighter: Fighter) -> None: ...


class RosterUnitOfWork(Protocol):
    """One atomic change of the roster and the events that announce it."""

    fighters: FighterRepository

    def record(self, event: FighterEvent) -> None:
        """Stage ``event`` to be published with this unit's commit."""
        ...
