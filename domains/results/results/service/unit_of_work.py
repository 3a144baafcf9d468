"""The ports results' use cases need."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from results.domain.events import ResultEvent
from results.domain.model import BoutResult, BoutSnapshot


class ResultRepository(Protocol):
    def get(self, bout_id: str) -> BoutResult | None: ...

    def add(self, result: BoutResult) -> None: ...


class BoutReplica(Protocol):
    """Results' local copy of schedule's bouts."""

    def get(self, bout_id: str) -> BoutSnapshot | None: ...

    def upsert(self, bout: BoutSnapshot, version: datetime) -> None:
        """Store ``bout`` unless a newer ``version`` of it is already stored."""
        ...


class BoutDirectory(Protocol):
    """Asks schedule's published HTTP port about a bout the replica has not seen yet."""

    def find(self, bout_id: str) -> tuple[BoutSnapshot, datetime] | None: ...


class ResultsUnitOfWork(Protocol):
    # Read-only properties: an implementation may hold narrower repositories (its SQL ones).
    @property
    def results(self) -> ResultRepository: ...

    @property
    def bouts(self) -> BoutReplica: ...

    def record(self, event: ResultEvent) -> None: ...
