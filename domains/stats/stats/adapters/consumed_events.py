"""The events stats consumes, typed from the producers' contracts. GENERATED: do not edit.

Regenerate after a producer's contract or contracts/stats/subscriptions.yaml changes:
``python -m mesh_tools.codegen stats <this file>`` (a test checks it is current).
"""

from datetime import date, datetime
from typing import ClassVar

from mesh_platform.domain_api import ConsumedData, ConsumedEvent

# roster.fighters v1 (contract 1.1.0), topic roster.fighters.v1


class RosterFightersV1Stats(ConsumedData):
    """REPLICA, not roster's data: the fighter's record and current rank as the stats domain last published them
    (products stats.fighter-records v1 and stats.rankings v1, which stay the source of truth; roster copies them
    from stats' topics and never edits or derives them). It trails stats by the replication delay; record_as_of
    and ranking_as_of say which version of stats' data is shown. Null until stats has published anything about the
    fighter. Served on the HTTP and analytical ports only: events on the topic never carry it (roster announces
    its own facts only, so the copy cannot loop back to stats).
    """

    wins: int | None = None
    losses: int | None = None
    draws: int | None = None
    no_contests: int | None = None
    record_as_of: datetime | None = None
    rank: int | None = None
    rating: float | None = None
    ranking_as_of: datetime | None = None
    sources: tuple[str, ...]


class RosterFightersV1(ConsumedData):
    """Schema object `fighters` of roster.fighters v1."""

    fighter_id: str
    name: str
    nickname: str | None = None
    date_of_birth: date | None = None
    nationality: str
    weight_class: str
    stance: str
    height_cm: int
    reach_cm: int
    status: str
    registered_at: datetime
    updated_at: datetime
    stats: RosterFightersV1Stats | None = None


class FighterRegisteredV1(RosterFightersV1, ConsumedEvent):
    """`octagon.roster.fighter.registered.v1`: A fighter joined the roster."""

    EVENT_TYPE: ClassVar[str] = "octagon.roster.fighter.registered.v1"
    PRODUCT: ClassVar[str] = "roster.fighters"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "roster.fighters.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "fighter_id": ("string", True),
        "name": ("string", True),
        "nickname": ("string", False),
        "date_of_birth": ("date", False),
        "nationality": ("string", True),
        "weight_class": ("string", True),
        "stance": ("string", True),
        "height_cm": ("integer", True),
        "reach_cm": ("integer", True),
        "status": ("string", True),
        "registered_at": ("timestamp", True),
        "updated_at": ("timestamp", True),
        "stats": ("object", False),
    }


class FighterUpdatedV1(RosterFightersV1, ConsumedEvent):
    """`octagon.roster.fighter.updated.v1`: A fighter's profile, weight class or status changed (other than
    retirement).
    """

    EVENT_TYPE: ClassVar[str] = "octagon.roster.fighter.updated.v1"
    PRODUCT: ClassVar[str] = "roster.fighters"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "roster.fighters.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "fighter_id": ("string", True),
        "name": ("string", True),
        "nickname": ("string", False),
        "date_of_birth": ("date", False),
        "nationality": ("string", True),
        "weight_class": ("string", True),
        "stance": ("string", True),
        "height_cm": ("integer", True),
        "reach_cm": ("integer", True),
        "status": ("string", True),
        "registered_at": ("timestamp", True),
        "updated_at": ("timestamp", True),
        "stats": ("object", False),
    }


class FighterRetiredV1(RosterFightersV1, ConsumedEvent):
    """`octagon.roster.fighter.retired.v1`: A fighter retired; the record carries status retired."""

    EVENT_TYPE: ClassVar[str] = "octagon.roster.fighter.retired.v1"
    PRODUCT: ClassVar[str] = "roster.fighters"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "roster.fighters.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "fighter_id": ("string", True),
        "name": ("string", True),
        "nickname": ("string", False),
        "date_of_birth": ("date", False),
        "nationality": ("string", True),
        "weight_class": ("string", True),
        "stance": ("string", True),
        "height_cm": ("integer", True),
        "reach_cm": ("integer", True),
        "status": ("string", True),
        "registered_at": ("timestamp", True),
        "updated_at": ("timestamp", True),
        "stats": ("object", False),
    }


# results.bout-results v1 (contract 1.0.3), topic results.bout-results.v1


class ResultsBoutResultsV1JudgesScores(ConsumedData):
    """One judge's totals for the whole bout."""

    judge: str
    red: int
    blue: int


class ResultsBoutResultsV1(ConsumedData):
    """Schema object `bout_results` of results.bout-results v1."""

    bout_id: str
    card_id: str
    bout_date: date
    weight_class: str
    red_fighter_id: str
    blue_fighter_id: str
    outcome: str
    winner_fighter_id: str | None = None
    method: str
    round: int
    time: str
    judges_scores: tuple[ResultsBoutResultsV1JudgesScores, ...] | None = None
    recorded_at: datetime


class ResultRecordedV1(ResultsBoutResultsV1, ConsumedEvent):
    """`octagon.results.result.recorded.v1`: The official result of a bout was recorded."""

    EVENT_TYPE: ClassVar[str] = "octagon.results.result.recorded.v1"
    PRODUCT: ClassVar[str] = "results.bout-results"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "results.bout-results.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "bout_id": ("string", True),
        "card_id": ("string", True),
        "bout_date": ("date", True),
        "weight_class": ("string", True),
        "red_fighter_id": ("string", True),
        "blue_fighter_id": ("string", True),
        "outcome": ("string", True),
        "winner_fighter_id": ("string", False),
        "method": ("string", True),
        "round": ("integer", True),
        "time": ("string", True),
        "judges_scores": ("array", False),
        "recorded_at": ("timestamp", True),
    }
