"""The arithmetic of a fighter's record (:meth:`stats.domain.model.FighterRecord.derive` uses it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stats.domain.model import CountedResult

KO_TKO, SUBMISSION, DISQUALIFICATION = "KO/TKO", "SUB", "DQ"
DECISIONS = frozenset({"DEC-U", "DEC-S", "DEC-M"})

DAYS_A_YEAR = 365.25
METHOD_KINDS = {KO_TKO: "ko_tko", SUBMISSION: "submission", DISQUALIFICATION: "dq", **dict.fromkeys(DECISIONS, "decision")}


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
