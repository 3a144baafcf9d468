"""What stats knows (fighters and results, as published) and what it derives (records and rankings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from stats.domain.exceptions import UncountableResult

OUTCOMES = frozenset({"win", "draw", "no_contest"})
KO_TKO, SUBMISSION, DISQUALIFICATION = "KO/TKO", "SUB", "DQ"
DECISIONS = frozenset({"DEC-U", "DEC-S", "DEC-M"})


@dataclass(frozen=True)
class FighterSnapshot:
    """A roster fighter as roster last published them; ``updated_at`` orders the states of one fighter."""

    fighter_id: str
    name: str
    weight_class: str
    status: str
    updated_at: datetime

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class CountedResult:
    """A bout result as results published it, reduced to what stats counts."""

    bout_id: str
    bout_date: date
    weight_class: str
    red_fighter_id: str
    blue_fighter_id: str
    outcome: str
    winner_fighter_id: str | None
    method: str
    recorded_at: datetime

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise UncountableResult(f"outcome {self.outcome!r} is not one of {sorted(OUTCOMES)}", field="outcome")
        if self.red_fighter_id == self.blue_fighter_id:
            raise UncountableResult("red and blue are the same fighter", field="blue_fighter_id")
        winner_expected = self.outcome == "win"
        if winner_expected != (self.winner_fighter_id is not None) or (
            winner_expected and self.winner_fighter_id not in self.fighters
        ):
            raise UncountableResult(
                f"winner {self.winner_fighter_id!r} does not fit a {self.outcome} between {self.fighters}",
                field="winner_fighter_id",
            )

    @property
    def fighters(self) -> tuple[str, str]:
        return self.red_fighter_id, self.blue_fighter_id

    @property
    def order(self) -> tuple[date, str]:
        """The order results are counted in: by bout date, then bout id — never by arrival."""
        return self.bout_date, self.bout_id

    def verdict_for(self, fighter_id: str) -> str:
        """``win``, ``loss``, ``draw`` or ``no_contest`` from ``fighter_id``'s side."""
        if self.outcome != "win":
            return self.outcome
        return "win" if self.winner_fighter_id == fighter_id else "loss"


@dataclass(frozen=True)
class FighterRecord:
    """A fighter's record with the promotion, derived from the results they fought in."""

    fighter_id: str
    name: str | None
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
    last_fight_date: date | None
    fights_per_year: float
    updated_at: datetime


@dataclass(frozen=True)
class RankingEntry:
    rank: int
    fighter_id: str
    name: str
    rating: float
    wins: int
    losses: int


@dataclass(frozen=True)
class Ranking:
    """The Elo ranking of one weight class."""

    weight_class: str
    entries: tuple[RankingEntry, ...]
    updated_at: datetime
