"""Elo ratings (:meth:`stats.domain.model.Ranking.derive` ranks a weight class by them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stats.domain.model import CountedResult

ELO_START = 1500.0
ELO_K = 32
ELO_SCALE = 400
RANKED_FIGHTERS = 15


def elo_ratings(results: Iterable[CountedResult]) -> dict[str, float]:
    """Every fighter's Elo rating after ``results``, counted in (bout_date, bout_id) order.

    Fighters start at 1500 and move by K=32 × (score − expected score), expected = 1 / (1 + 10^((Rb − Ra) / 400));
    a win scores 1, a loss 0, a draw ½ each. A no contest has no sporting result: it rates a newcomer at 1500 and
    moves nobody.
    """
    ratings: dict[str, float] = {}
    for result in sorted(results, key=lambda r: r.order):
        red = ratings.setdefault(result.red_fighter_id, ELO_START)
        blue = ratings.setdefault(result.blue_fighter_id, ELO_START)
        if result.outcome == "no_contest":
            continue
        expected_red = 1 / (1 + 10 ** ((blue - red) / ELO_SCALE))
        score_red = {"win": 1.0, "loss": 0.0, "draw": 0.5}[result.verdict_for(result.red_fighter_id)]
        ratings[result.red_fighter_id] = red + ELO_K * (score_red - expected_red)
        ratings[result.blue_fighter_id] = blue + ELO_K * ((1 - score_red) - (1 - expected_red))
    return ratings
