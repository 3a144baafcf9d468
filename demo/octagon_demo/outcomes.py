"""How a bout ends: who wins, by what method, when, and the judges' 10-point-must scorecards for decisions."""

from __future__ import annotations

import math
import random

from octagon_demo.dataset import BoutOutcome, JudgeScore

ROUND_SECONDS = 300

# Shares of all bouts the promotion's history should show (percent). Draws and no contests are outcomes of their
# own; the draw's decision kind is drawn separately (DRAW_METHODS).
WIN_METHODS: tuple[tuple[str, float], ...] = (
    ("KO/TKO", 32.0),
    ("SUB", 20.0),
    ("DEC-U", 33.0),
    ("DEC-S", 9.0),
    ("DEC-M", 2.0),
    ("DQ", 1.0),
)
DRAW_SHARE = 1.0
NO_CONTEST_SHARE = 1.0
DRAW_METHODS: tuple[tuple[str, float], ...] = (("DEC-M", 45.0), ("DEC-S", 35.0), ("DEC-U", 20.0))
DECISIONS = frozenset({"DEC-U", "DEC-S", "DEC-M"})

SKILL_STEEPNESS = 1.1
"""How decisively a better fighter wins: P(red wins) = logistic(SKILL_STEEPNESS * (red - blue))."""

FINISH_ROUND_DECAY = 0.6
"""A finish in round r+1 is this much less likely than in round r."""

JUDGES: tuple[str, ...] = (
    "Glenn Tarrant", "Marcia Okoye", "Derek Halvorsen", "Sal Montalbano", "Chris Whitlock", "Junichi Sato",
    "Rosa Quintero", "Paul Vasquez", "Eleanor Brandt", "Tony Fairbanks", "Ben Castellano", "Mike Dunleavy",
    "Sandra Pike", "Dave Tirelli", "Walt Hendry", "Ana Moretti", "Cardo Urso", "Howard Kemp",
)


def decide_bout(
    rng: random.Random,
    *,
    red: int,
    blue: int,
    red_skill: float,
    blue_skill: float,
    rounds: int,
    knockout_factor: float = 1.0,
) -> BoutOutcome:
    """The outcome of a bout between fighters ``red`` and ``blue`` (data-set indexes) scheduled for ``rounds``."""
    roll = rng.uniform(0, 100)
    if roll < NO_CONTEST_SHARE:
        round_, time = _finish_moment(rng, rounds, "NC")
        return BoutOutcome("no_contest", None, "NC", round_, time, None)
    if roll < NO_CONTEST_SHARE + DRAW_SHARE:
        method = _weighted(rng, DRAW_METHODS)
        return BoutOutcome("draw", None, method, rounds, "5:00", _scorecards(rng, rounds, _draw_verdicts(rng, method)))
    red_wins = rng.random() < 1.0 / (1.0 + math.exp(-SKILL_STEEPNESS * (red_skill - blue_skill)))
    winner = red if red_wins else blue
    methods = tuple(
        (method, share * knockout_factor if method == "KO/TKO" else share) for method, share in WIN_METHODS
    )
    method = _weighted(rng, methods)
    if method in DECISIONS:
        verdicts = _win_verdicts(method, "red" if red_wins else "blue")
        return BoutOutcome("win", winner, method, rounds, "5:00", _scorecards(rng, rounds, verdicts))
    round_, time = _finish_moment(rng, rounds, method)
    return BoutOutcome("win", winner, method, round_, time, None)


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in options], weights=[weight for _, weight in options])[0]


def _finish_moment(rng: random.Random, rounds: int, method: str) -> tuple[int, str]:
    """Round and time of a stoppage: most come early, knockouts earlier in the round than submissions."""
    round_ = rng.choices(range(1, rounds + 1), weights=[FINISH_ROUND_DECAY**r for r in range(rounds)])[0]
    mode = {"KO/TKO": 100, "SUB": 160}.get(method, 150)
    seconds = round(rng.triangular(4, ROUND_SECONDS - 1, mode))
    return round_, f"{seconds // 60}:{seconds % 60:02d}"


def _win_verdicts(method: str, winner: str) -> list[str]:
    """Each judge's verdict (``red``, ``blue`` or ``even``) that makes the decision ``method`` for ``winner``."""
    loser = "blue" if winner == "red" else "red"
    if method == "DEC-U":
        return [winner, winner, winner]
    if method == "DEC-S":
        return [winner, winner, loser]
    return [winner, winner, "even"]


def _draw_verdicts(rng: random.Random, method: str) -> list[str]:
    if method == "DEC-U":
        return ["even", "even", "even"]
    if method == "DEC-M":
        return ["even", "even", rng.choice(("red", "blue"))]
    return ["red", "blue", "even"]


def _scorecards(rng: random.Random, rounds: int, verdicts: list[str]) -> tuple[JudgeScore, ...]:
    rng.shuffle(verdicts)
    judges = rng.sample(JUDGES, 3)
    close = verdicts.count("red") and verdicts.count("blue")
    return tuple(
        JudgeScore(judge, *_judge_totals(rng, rounds, verdict, close=bool(close)))
        for judge, verdict in zip(judges, verdicts, strict=True)
    )


def _judge_totals(rng: random.Random, rounds: int, verdict: str, *, close: bool) -> tuple[int, int]:
    """One judge's (red, blue) totals: rounds scored 10-9 (sometimes 10-8 or 10-10) adding up to ``verdict``."""
    if verdict == "even":
        # Equal rounds each way and one 10-10 round (bouts have an odd number of rounds).
        each = (rounds - 1) // 2
        total = 10 * each + 9 * each + 10
        return total, total
    majority = rounds // 2 + 1
    if close:
        won = majority
    else:
        won = rng.choices(range(majority, rounds + 1), weights=[0.5**i for i in range(rounds + 1 - majority)])[0]
    favoured = 10 * won + 9 * (rounds - won)
    other = 9 * won + 10 * (rounds - won)
    if won == rounds and rng.random() < 0.2:
        other -= 1  # a dominant round scored 10-8
    return (favoured, other) if verdict == "red" else (other, favoured)
