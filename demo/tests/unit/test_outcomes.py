"""Every generated outcome obeys the results rules, with realistic shares and the better fighter usually winning."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from octagon_demo.dataset import BoutOutcome, DemoBout
from octagon_demo.outcomes import decide_bout

DECISIONS = {"DEC-U", "DEC-S", "DEC-M"}
METHODS_BY_OUTCOME = {
    "win": {"KO/TKO", "SUB", "DQ"} | DECISIONS,
    "draw": DECISIONS,
    "no_contest": {"NC"},
}
# Verdict counts the cards must show: (for the winner, for the loser, even) for a win; for a draw,
# (for the fighter more cards favour, for the other, even).
VERDICTS = {
    ("win", "DEC-U"): (3, 0, 0),
    ("win", "DEC-S"): (2, 1, 0),
    ("win", "DEC-M"): (2, 0, 1),
    ("draw", "DEC-U"): (0, 0, 3),
    ("draw", "DEC-S"): (1, 1, 1),
    ("draw", "DEC-M"): (1, 0, 2),
}
TARGET_SHARES = {"KO/TKO": 32, "SUB": 20, "DEC-U": 33, "DEC-S": 9, "DEC-M": 2, "DQ": 1, "draw": 1, "NC": 1}


def _verdict_counts(bout: DemoBout, outcome: BoutOutcome) -> tuple[int, int, int]:
    scores = outcome.judges_scores or ()
    verdicts = ["even" if s.red == s.blue else "red" if s.red > s.blue else "blue" for s in scores]
    even = verdicts.count("even")
    if outcome.outcome == "win":
        winner = "red" if outcome.winner == bout.red else "blue"
        loser = "blue" if winner == "red" else "red"
        return verdicts.count(winner), verdicts.count(loser), even
    one, other = sorted((verdicts.count("red"), verdicts.count("blue")), reverse=True)
    return one, other, even


def _seconds(time: str) -> int:
    match = re.fullmatch(r"(\d):([0-5]\d)", time)
    assert match, time
    return int(match.group(1)) * 60 + int(match.group(2))


def _results(full) -> list[tuple[DemoBout, BoutOutcome]]:
    return [(bout, bout.outcome) for bout in full.bouts if bout.outcome is not None]


def test_winner_and_method_fit_the_outcome(full):
    for bout, outcome in _results(full):
        assert outcome.method in METHODS_BY_OUTCOME[outcome.outcome]
        if outcome.outcome == "win":
            assert outcome.winner in (bout.red, bout.blue)
        else:
            assert outcome.winner is None


def test_finishes_happen_within_the_scheduled_rounds_and_carry_no_scorecards(full):
    finishes = [(b, o) for b, o in _results(full) if o.method not in DECISIONS]

    for bout, outcome in finishes:
        assert 1 <= outcome.round <= bout.scheduled_rounds
        assert 1 <= _seconds(outcome.time) <= 300
        assert outcome.judges_scores is None
    rounds = Counter(o.round for _, o in finishes)
    assert rounds[1] > rounds[2] > rounds[3]


def test_decisions_go_the_distance_with_three_judges_whose_totals_agree_with_the_method(full):
    decisions = [(b, o) for b, o in _results(full) if o.method in DECISIONS]

    assert decisions
    for bout, outcome in decisions:
        rounds = bout.scheduled_rounds
        assert (outcome.round, outcome.time) == (rounds, "5:00")
        assert outcome.judges_scores is not None and len(outcome.judges_scores) == 3
        assert len({s.judge for s in outcome.judges_scores}) == 3
        for score in outcome.judges_scores:
            assert 7 * rounds <= score.red <= 10 * rounds and 7 * rounds <= score.blue <= 10 * rounds
            # every round has a 10 on one side, and a round drops at most three points
            assert -(-(10 * rounds - score.red) // 3) + -(-(10 * rounds - score.blue) // 3) <= rounds
        assert _verdict_counts(bout, outcome) == VERDICTS[(outcome.outcome, outcome.method)]


def test_every_kind_of_decision_and_draw_occurs(full):
    kinds = {(o.outcome, o.method) for _, o in _results(full)}

    assert set(VERDICTS) <= kinds


def test_method_shares_are_near_the_targets(full):
    results = _results(full)
    counts = Counter("draw" if o.outcome == "draw" else o.method for _, o in results)
    shares = {kind: 100 * n / len(results) for kind, n in counts.items()}

    for kind, target in TARGET_SHARES.items():
        assert shares.get(kind, 0) == pytest.approx(target, abs=max(1.0, 0.15 * target)), kind


def test_the_better_fighter_wins_more_often(full):
    wins = [(b, o) for b, o in _results(full) if o.outcome == "win"]
    skill = {f.index: f.skill for f in full.fighters}
    better_won = sum(o.winner == max((b.red, b.blue), key=skill.__getitem__) for b, o in wins)

    assert better_won / len(wins) > 0.62


def test_a_much_better_fighter_wins_most_bouts():
    rng = random.Random(3)
    outcomes = [decide_bout(rng, red=0, blue=1, red_skill=2.0, blue_skill=-1.0, rounds=3) for _ in range(2000)]
    wins = Counter(o.winner for o in outcomes if o.outcome == "win")

    assert wins[0] > 9 * wins[1]


def test_heavier_divisions_end_by_knockout_more_often():
    rng = random.Random(5)

    def knockouts(factor: float) -> int:
        return sum(
            decide_bout(rng, red=0, blue=1, red_skill=0, blue_skill=0, rounds=3, knockout_factor=factor).method
            == "KO/TKO" for _ in range(3000)
        )

    assert knockouts(1.5) > knockouts(0.6) * 1.5
