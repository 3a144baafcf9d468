"""The ports schedule's use cases need."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from schedule.domain.events import ScheduleEvent
from schedule.domain.model import Bout, EventCard, FighterSnapshot


class CardRepository(Protocol):
    def get(self, card_id: str) -> EventCard | None: ...

    def add(self, card: EventCard) -> None: ...

    def save(self, card: EventCard) -> None: ...


class BoutRepository(Protocol):
    def get(self, bout_id: str) -> Bout | None: ...

    def on_card(self, card_id: str) -> list[Bout]: ...

    def add(self, bout: Bout) -> None: ...

    def save(self, bout: Bout) -> None: ...


class FighterReplica(Protocol):
    """Schedule's local copy of roster's fighters."""

    def get(self, fighter_id: str) -> FighterSnapshot | None: ...

    def upsert(self, fighter: FighterSnapshot, version: datetime) -> None:
        """Store ``fighter`` unless a newer ``version`` (roster's ``updated_at``) is already stored."""
        ...


class FighterDirectory(Protocol):
    """Asks roster's published HTTP port about a fighter the replica has not seen yet."""

    def find(self, fighter_id: str) -> tuple[FighterSnapshot, datetime] | None:
        """The fighter and its version (roster's ``updated_at``), or None when roster does not know it."""
        ...


class ScheduleUnitOfWork(Protocol):
    # Read-only properties: an implementation may hold narrower repositories (its SQL ones).
    @property
    def cards(self) -> CardRepository: ...

    @property
    def bouts(self) -> BoutRepository: ...

    @property
    def fighters(self) -> FighterReplica: ...

    def record(self, event: ScheduleEvent) -> None: ...
