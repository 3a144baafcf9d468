"""Roster's copy of what stats derives about its fighters (reverse ETL): never roster's own facts.

Stats owns fighters' records and rankings; roster shows them back beside each fighter, labelled as a replica. A copy
carries the version of stats' data it holds (stats' ``updated_at`` of the record or ranking), and a copy only ever
replaces an older one: redelivered or replayed events change nothing, and nothing is ever counted by roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordCopy:
    """A fighter's record as stats last published it (``stats.fighter-records``)."""

    fighter_id: str
    wins: int
    losses: int
    draws: int
    no_contests: int
    version: datetime  # stats' updated_at of this record: the version held
    source_event_id: str

    def replaces(self, held: RecordCopy | None) -> bool:
        """Whether this copy is newer than the one ``held`` (an equal or older version changes nothing)."""
        return held is None or self.version > held.version


@dataclass(frozen=True)
class RankedCopy:
    """One fighter's place in a division's ranking."""

    fighter_id: str
    rank: int
    rating: float


@dataclass(frozen=True)
class RankingCopy:
    """A division's ranking as stats last published it (``stats.rankings``): the whole ranking, replaced at once."""

    weight_class: str
    entries: tuple[RankedCopy, ...]
    version: datetime  # stats' updated_at of this ranking: the version held
    source_event_id: str

    def replaces(self, held_version: datetime | None) -> bool:
        """Whether this copy is newer than the ranking held (at ``held_version``)."""
        return held_version is None or self.version > held_version
