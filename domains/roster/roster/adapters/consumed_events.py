"""The events roster consumes, typed from the producers' contracts. GENERATED: do not edit.

Regenerate after a producer's contract or contracts/roster/subscriptions.yaml changes:
``python -m mesh_tools.codegen roster <this file>`` (a test checks it is current).
"""

from datetime import date, datetime
from typing import ClassVar

from mesh_platform.domain_api import ConsumedData, ConsumedEvent

# stats.fighter-records v1 (contract 1.0.2), topic stats.fighter-records.v1


class StatsFighterRecordsV1(ConsumedData):
    """Schema object `fighter_records` of stats.fighter-records v1."""

    fighter_id: str
    name: str | None = None
    weight_class: str
    wins: int
    losses: int
    draws: int
    no_contests: int
    wins_by_ko_tko: int
    wins_by_submission: int
    wins_by_decision: int
    wins_by_dq: int
    losses_by_ko_tko: int
    losses_by_submission: int
    losses_by_decision: int
    current_streak: int
    last_fight_date: date | None = None
    fights_per_year: float
    updated_at: datetime


class RecordUpdatedV1(StatsFighterRecordsV1, ConsumedEvent):
    """`octagon.stats.record.updated.v1`: A fighter's record changed (a result was counted, or the fighter's profile
    changed).
    """

    EVENT_TYPE: ClassVar[str] = "octagon.stats.record.updated.v1"
    PRODUCT: ClassVar[str] = "stats.fighter-records"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "stats.fighter-records.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "fighter_id": ("string", True),
        "name": ("string", False),
        "weight_class": ("string", True),
        "wins": ("integer", True),
        "losses": ("integer", True),
        "draws": ("integer", True),
        "no_contests": ("integer", True),
        "wins_by_ko_tko": ("integer", True),
        "wins_by_submission": ("integer", True),
        "wins_by_decision": ("integer", True),
        "wins_by_dq": ("integer", True),
        "losses_by_ko_tko": ("integer", True),
        "losses_by_submission": ("integer", True),
        "losses_by_decision": ("integer", True),
        "current_streak": ("integer", True),
        "last_fight_date": ("date", False),
        "fights_per_year": ("number", True),
        "updated_at": ("timestamp", True),
    }


# stats.rankings v1 (contract 1.0.0), topic stats.rankings.v1


class StatsRankingsV1Entries(ConsumedData):
    """One ranked fighter."""

    rank: int
    fighter_id: str
    name: str
    rating: float
    wins: int
    losses: int


class StatsRankingsV1(ConsumedData):
    """Schema object `rankings` of stats.rankings v1."""

    weight_class: str
    entries: tuple[StatsRankingsV1Entries, ...]
    updated_at: datetime


class RankingUpdatedV1(StatsRankingsV1, ConsumedEvent):
    """`octagon.stats.ranking.updated.v1`: The ranking of a weight class changed after a result was counted."""

    EVENT_TYPE: ClassVar[str] = "octagon.stats.ranking.updated.v1"
    PRODUCT: ClassVar[str] = "stats.rankings"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "stats.rankings.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "weight_class": ("string", True),
        "entries": ("array", True),
        "updated_at": ("timestamp", True),
    }
