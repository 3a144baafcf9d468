"""What happened to stats' products, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stats.domain.model import FighterRecord, Ranking


@dataclass(frozen=True)
class FighterRecordUpdated:
    record: FighterRecord


@dataclass(frozen=True)
class RankingUpdated:
    ranking: Ranking


StatsEvent = FighterRecordUpdated | RankingUpdated
