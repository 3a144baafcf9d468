"""The ports stats' use cases need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from stats.domain.events import StatsEvent
from stats.domain.model import CountedResult, FighterRecord, FighterSnapshot, Ranking


class FighterReplica(Protocol):
    """Stats' copy of roster's fighters."""

    def get(self, fighter_id: str) -> FighterSnapshot | None: ...

    def get_many(self, fighter_ids: Iterable[str]) -> dict[str, FighterSnapshot]: ...

    def upsert(self, fighter: FighterSnapshot) -> None:
        """Store ``fighter`` unless a newer state of them (by ``updated_at``) is already stored."""
        ...


class ResultReplica(Protocol):
    """Stats' copy of results' bout results."""

    def get(self, bout_id: str) -> CountedResult | None: ...

    def upsert(self, result: CountedResult) -> None:
        """Store ``result`` unless a newer version of it (by ``recorded_at``) is already stored."""
        ...

    def of_fighter(self, fighter_id: str) -> list[CountedResult]: ...

    def in_weight_class(self, weight_class: str) -> list[CountedResult]: ...

    def weight_classes_of(self, fighter_id: str) -> set[str]: ...


class RecordRepository(Protocol):
    def get(self, fighter_id: str) -> FighterRecord | None: ...

    def save(self, record: FighterRecord) -> None: ...


class RankingRepository(Protocol):
    def get(self, weight_class: str) -> Ranking | None: ...

    def save(self, ranking: Ranking) -> None: ...


class AnnouncementLog(Protocol):
    """What subscribers of stats' topics last received, per record; it outlives a replay."""

    def is_news(self, item: FighterRecord | Ranking) -> bool:
        """Whether ``item`` differs from the last announced state of its key and is not older than it."""
        ...

    def remember(self, item: FighterRecord | Ranking) -> None: ...


@dataclass
class StaleKeys:
    """The records and rankings whose facts changed since they were last derived."""

    fighter_ids: set[str] = field(default_factory=set)
    weight_classes: set[str] = field(default_factory=set)

    def take(self) -> tuple[set[str], set[str]]:
        """The stale keys, leaving none behind."""
        taken = (self.fighter_ids, self.weight_classes)
        self.fighter_ids, self.weight_classes = set(), set()
        return taken


class StatsUnitOfWork(Protocol):
    # Read-only properties: an implementation may hold narrower repositories (its SQL ones).
    @property
    def stale(self) -> StaleKeys: ...

    @property
    def fighters(self) -> FighterReplica: ...

    @property
    def results(self) -> ResultReplica: ...

    @property
    def records(self) -> RecordRepository: ...

    @property
    def rankings(self) -> RankingRepository: ...

    @property
    def announcements(self) -> AnnouncementLog: ...

    def record(self, event: StatsEvent) -> None: ...
