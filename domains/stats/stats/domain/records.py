"""A fighter's record, recomputed from every result they fought in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from stats.domain.model import (
    DECISIONS,
    DISQUALIFICATION,
    KO_TKO,
    SUBMISSION,
    CountedResult,
    FighterRecord,
    FighterSnapshot,
)

DAYS_A_YEAR = 365.25
_METHOD_KINDS = {KO_TKO: "ko_tko", SUBMISSION: "submission", DISQUALIFICATION: "dq", **dict.fromkeys(DECISIONS, "decision")}


def derive_record(
    fighter_id: str, fighter: FighterSnapshot | None, results: Iterable[CountedResult]
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
            counts[f"{verdict}_by_{_METHOD_KINDS.get(result.method, 'other')}"] += 1
    times = [result.recorded_at for result in fought] + ([fighter.updated_at] if fighter else [])
    return FighterRecord(
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


def current_streak(verdicts: list[str]) -> int:
    """+n / -n for the run of wins / losses that ends with the latest bout; 0 after a draw or no contest."""
    if not verdicts or verdicts[-1] not in ("win", "loss"):
        return 0
    latest = verdicts[-1]
    run = 0
    for verdict in reversed(verdicts):
        if verdict != latest:
            break
        run += 1
    return run if latest == "win" else -run


def fights_per_year(fought: list[CountedResult]) -> float:
    """Bouts a year between the first and the latest bout (at least one year); 0 without bouts."""
    if not fought:
        return 0.0
    years = (fought[-1].bout_date - fought[0].bout_date).days / DAYS_A_YEAR
    return round(len(fought) / max(1.0, years), 2)
