"""What stats knows (fighters and results, as published) and what it derives (records and rankings).

The one definition of the fields of stats' products: their tables (``adapters/tables.py``) inherit
:class:`FighterRecord` and :class:`Ranking`, and records and events are mapped from them generically.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from stats.domain.exceptions import UncountableResult
from stats.domain.rankings import RANKED_FIGHTERS, elo_ratings
from stats.domain.records import METHOD_KINDS, current_streak, fights_per_year

OUTCOMES = frozenset({"win", "draw", "no_contest"})


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


class FighterRecord(BaseModel):
    """A fighter's record with the promotion, derived from the results they fought in."""

    model_config = ConfigDict(frozen=True)

    fighter_id: str
    name: str | None = Field(max_length=200)
    weight_class: str = Field(max_length=40)
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

    @property
    def as_of(self) -> datetime:
        """The newest time among the facts it was derived from: it orders the states of one record."""
        return self.updated_at

    @classmethod
    def derive(
        cls, fighter_id: str, fighter: FighterSnapshot | None, results: Iterable[CountedResult]
    ) -> FighterRecord | None:
        """The record of ``fighter_id`` from roster's ``fighter`` (None until roster published them) and ``results``.

        Deterministic: the results are counted in (bout_date, bout_id) order whatever order they arrived in, and
        ``updated_at`` is the newest time among the contributing facts (results' ``recorded_at``, roster's
        ``updated_at``), never the clock. A fighter known from neither has no record; one known only from roster has
        an empty record (only completed bouts — bouts with a result — count). ``name`` is None until roster's event
        arrived, and ``weight_class`` is roster's, or the division of the latest bout until then.

        ``current_streak``: +n after n wins in a row, -n after n losses in a row, 0 when the latest bout was a draw or
        a no contest (or there was none). ``fights_per_year``: bouts / years between the first and the latest bout,
        the span counted as at least one year, rounded to 2 decimals; 0 without bouts.
        """
        fought = sorted((result for result in results if fighter_id in result.fighters), key=lambda r: r.order)
        if fighter is None and not fought:
            return None
        counts: Counter[str] = Counter()
        verdicts = []
        for result in fought:
            verdict = result.verdict_for(fighter_id)
            verdicts.append(verdict)
            counts[verdict] += 1
            if verdict in ("win", "loss"):
                counts[f"{verdict}_by_{METHOD_KINDS.get(result.method, 'other')}"] += 1
        times = [result.recorded_at for result in fought] + ([fighter.updated_at] if fighter else [])
        return cls(
            fighter_id=fighter_id,
            name=fighter.name if fighter else None,
            weight_class=fighter.weight_class if fighter else fought[-1].weight_class,
            wins=counts["win"],
            losses=counts["loss"],
            draws=counts["draw"],
            no_contests=counts["no_contest"],
            wins_by_ko_tko=counts["win_by_ko_tko"],
            wins_by_submission=counts["win_by_submission"],
            wins_by_decision=counts["win_by_decision"],
            wins_by_dq=counts["win_by_dq"],
            losses_by_ko_tko=counts["loss_by_ko_tko"],
            losses_by_submission=counts["loss_by_submission"],
            losses_by_decision=counts["loss_by_decision"],
            current_streak=current_streak(verdicts),
            last_fight_date=fought[-1].bout_date if fought else None,
            fights_per_year=fights_per_year(fought),
            updated_at=max(times),
        )


class RankingEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    rank: int
    fighter_id: str
    name: str
    rating: float
    wins: int
    losses: int


class Ranking(BaseModel):
    """The Elo ranking of one weight class."""

    model_config = ConfigDict(frozen=True)

    weight_class: str = Field(max_length=40)
    entries: tuple[RankingEntry, ...]
    updated_at: datetime

    @property
    def as_of(self) -> datetime:
        """The newest time among the facts it was derived from: it orders the states of one record."""
        return self.updated_at

    @classmethod
    def derive(
        cls, weight_class: str, results: Iterable[CountedResult], fighters: Mapping[str, FighterSnapshot]
    ) -> Ranking | None:
        """The ranking of ``weight_class`` from its ``results`` and roster's ``fighters``; None without results.

        The top 15 by rating of the fighters with at least one bout in the division whom roster lists as active (a
        fighter roster has not published yet is not ranked: neither their status nor their name is known). Ties in
        rating rank by fighter_id. Ratings are shown to one decimal. ``updated_at`` is the newest time among the
        division's results and the roster states of the fighters who fought in it, never the clock — so the same
        facts give the same ranking whatever order they arrived in.
        """
        in_division = [result for result in results if result.weight_class == weight_class]
        if not in_division:
            return None
        ratings = elo_ratings(in_division)
        verdicts: Counter[tuple[str, str]] = Counter()
        for result in in_division:
            for fighter_id in result.fighters:
                verdicts[(fighter_id, result.verdict_for(fighter_id))] += 1
        ranked = sorted(
            (fighter_id for fighter_id in ratings if fighter_id in fighters and fighters[fighter_id].active),
            key=lambda fighter_id: (-ratings[fighter_id], fighter_id),
        )[:RANKED_FIGHTERS]
        entries = tuple(
            RankingEntry(
                rank=position,
                fighter_id=fighter_id,
                name=fighters[fighter_id].name,
                rating=round(ratings[fighter_id], 1),
                wins=verdicts[(fighter_id, "win")],
                losses=verdicts[(fighter_id, "loss")],
            )
            for position, fighter_id in enumerate(ranked, start=1)
        )
        times = [result.recorded_at for result in in_division]
        times += [fighters[fighter_id].updated_at for fighter_id in ratings if fighter_id in fighters]
        return cls(weight_class=weight_class, entries=entries, updated_at=max(times))
