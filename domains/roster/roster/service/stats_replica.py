"""Keeping roster's replica of stats' records and rankings: replace an older copy, never add to one."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from roster.domain.stats_replica import RankingCopy, RecordCopy


class RecordCopies(Protocol):
    def get(self, fighter_id: str) -> RecordCopy | None: ...

    def put(self, copy: RecordCopy) -> None:
        """Store ``copy`` in place of whatever was held for its fighter."""
        ...


class RankingCopies(Protocol):
    def version(self, weight_class: str) -> datetime | None:
        """The version of the division's ranking held, or None."""
        ...

    def put(self, copy: RankingCopy) -> None:
        """Store ``copy`` in place of the division's ranking held (entries no longer in it are dropped)."""
        ...


class StatsReplicaUnitOfWork(Protocol):
    @property
    def records(self) -> RecordCopies: ...

    @property
    def rankings(self) -> RankingCopies: ...


def record_published(copy: RecordCopy, uow: StatsReplicaUnitOfWork) -> bool:
    """Stats published a fighter's record: hold it unless a newer version is held. Whether it was taken."""
    if not copy.replaces(uow.records.get(copy.fighter_id)):
        return False
    uow.records.put(copy)
    return True


def ranking_published(copy: RankingCopy, uow: StatsReplicaUnitOfWork) -> bool:
    """Stats published a division's ranking: hold it unless a newer version is held. Whether it was taken."""
    if not copy.replaces(uow.rankings.version(copy.weight_class)):
        return False
    uow.rankings.put(copy)
    return True
