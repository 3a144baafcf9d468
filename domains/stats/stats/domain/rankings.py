"""The Elo ranking of a weight class, recomputed from every result in it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from stats.domain.model import CountedResult, FighterSnapshot, Ranking, RankingEntry

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


def derive_ranking(
    weight_class: str, results: Iterable[CountedResult], fighters: Mapping[str, FighterSnapshot]
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
    return Ranking(weight_class=weight_class, entries=entries, updated_at=max(times))
