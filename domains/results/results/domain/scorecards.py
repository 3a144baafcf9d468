"""Judges' scorecards on the 10-point must system, and whether they agree with a decision."""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from pydantic import BaseModel, ConfigDict, Field

JUDGES = 3
MUST_POINTS = 10  # the winner of a round gets ten
LOWEST_ROUND_SCORE = 7  # 10-7 is the widest round the unified rules allow

# What the three cards must say, as (for the winner, for the loser, even) for a win, and as
# (for one fighter, for the other fighter, even) for a draw — a draw has no winner, so either corner may be "one".
_VERDICTS: dict[tuple[str, bool], tuple[tuple[int, int, int], str]] = {
    ("DEC-U", True): ((3, 0, 0), "a unanimous decision needs all three judges for the winner"),
    ("DEC-S", True): ((2, 1, 0), "a split decision needs two judges for the winner and one for the loser"),
    ("DEC-M", True): ((2, 0, 1), "a majority decision needs two judges for the winner and one even"),
    ("DEC-U", False): ((0, 0, 3), "a unanimous draw needs all three judges even"),
    ("DEC-S", False): ((1, 1, 1), "a split draw needs one judge for each fighter and one even"),
    ("DEC-M", False): ((1, 0, 2), "a majority draw needs two judges even and one for either fighter"),
}


class ScorecardsRefused(ValueError):
    """Scorecards that break a rule; ``where`` is the path inside the scorecards (``.0.judge``), "" for all of them."""

    def __init__(self, reason: str, where: str = "") -> None:
        super().__init__(reason)
        self.where = where


class JudgeScore(BaseModel):
    """One judge's totals for the whole bout."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    judge: str = Field(min_length=1, max_length=80)
    red: int
    blue: int

    @property
    def verdict(self) -> str:
        """``red``, ``blue`` or ``even``: whom this card favours."""
        if self.red == self.blue:
            return "even"
        return "red" if self.red > self.blue else "blue"


def check_scorecards(method: str, winner_corner: str | None, scores: Sequence[JudgeScore] | None, rounds: int) -> None:
    """Refuse (saying where) scorecards that cannot back decision ``method`` over ``rounds`` rounds.

    ``winner_corner`` is ``red`` or ``blue`` for a win, None for a draw. The rules:

    * exactly three judges, each named once;
    * each total is possible on the 10-point must system: between 7×rounds and 10×rounds, and every round has a
      10 on one side — so the points one corner dropped below 10×rounds, at most 3 a round, and those the other
      dropped must fit in different rounds: ⌈dropped_red/3⌉ + ⌈dropped_blue/3⌉ ≤ rounds;
    * the verdicts agree with the method. Win — DEC-U: all three cards for the winner; DEC-S: two for the winner,
      one for the loser; DEC-M: two for the winner, one even. Draw — DEC-U: all three even; DEC-S: one for each
      fighter, one even; DEC-M: two even, one for either fighter.
    """
    if not scores or len(scores) != JUDGES:
        given = len(scores) if scores else 0
        raise ScorecardsRefused(f"a decision needs exactly {JUDGES} judges' totals, got {given}")
    seen: set[str] = set()
    for index, score in enumerate(scores):
        name = score.judge.strip()
        if not name:
            raise ScorecardsRefused("a judge's name must not be blank", f".{index}.judge")
        if name.casefold() in seen:
            raise ScorecardsRefused(f"judge {name!r} scored twice; three different judges score a bout",
                                   f".{index}.judge")
        seen.add(name.casefold())
        _check_totals(score, index, rounds)
    _check_verdicts(method, winner_corner, scores)


def _check_totals(score: JudgeScore, index: int, rounds: int) -> None:
    low, high = LOWEST_ROUND_SCORE * rounds, MUST_POINTS * rounds
    for corner in ("red", "blue"):
        total = getattr(score, corner)
        if not low <= total <= high:
            raise ScorecardsRefused(
                f"a {rounds}-round total on the 10-point must system is between {low} and {high}, not {total}",
                f".{index}.{corner}",
            )
    dropped = MUST_POINTS - LOWEST_ROUND_SCORE
    rounds_needed = ceil((high - score.red) / dropped) + ceil((high - score.blue) / dropped)
    if rounds_needed > rounds:
        raise ScorecardsRefused(
            f"{score.red}-{score.blue} is impossible in {rounds} rounds: every round has a 10 on one side",
            f".{index}",
        )


def _check_verdicts(method: str, winner_corner: str | None, scores: Sequence[JudgeScore]) -> None:
    verdicts = [score.verdict for score in scores]
    even = verdicts.count("even")
    if winner_corner is not None:
        loser_corner = "blue" if winner_corner == "red" else "red"
        counted = (verdicts.count(winner_corner), verdicts.count(loser_corner), even)
        wording = f"{counted[0]} for the winner, {counted[1]} for the loser, {even} even"
    else:
        one, other = sorted((verdicts.count("red"), verdicts.count("blue")), reverse=True)
        counted = (one, other, even)
        wording = f"{verdicts.count('red')} for red, {verdicts.count('blue')} for blue, {even} even"
    expected, rule = _VERDICTS[(method, winner_corner is not None)]
    if counted != expected:
        raise ScorecardsRefused(f"{rule}; the cards give {wording}")
