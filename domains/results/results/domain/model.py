"""Bout results and the rules of recording them.

The one definition of a result's fields: the table (``adapters/tables.py``) and the HTTP bodies (``api/schemas.py``)
inherit these models, so each field and each of its rules is written here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from results.domain.events import ResultRecorded
from results.domain.exceptions import BoutNotScheduled, InvalidResult, ResultAlreadyRecorded
from results.domain.scorecards import JudgeScore, ScorecardsRefused, check_scorecards

ROUND_SECONDS = 5 * 60
_FIGHT_TIME = re.compile(r"^(\d):([0-5]\d)$")


class Outcome(StrEnum):
    WIN = "win"
    DRAW = "draw"
    NO_CONTEST = "no_contest"


class Method(StrEnum):
    """How a bout ended; the value is the official abbreviation used on the wire."""

    KO_TKO = "KO/TKO"
    SUBMISSION = "SUB"
    UNANIMOUS_DECISION = "DEC-U"
    SPLIT_DECISION = "DEC-S"
    MAJORITY_DECISION = "DEC-M"
    DISQUALIFICATION = "DQ"
    NO_CONTEST = "NC"

    @property
    def is_decision(self) -> bool:
        """Whether the judges decided the bout (it went the distance)."""
        return self in DECISIONS


DECISIONS = frozenset({Method.UNANIMOUS_DECISION, Method.SPLIT_DECISION, Method.MAJORITY_DECISION})

METHODS_BY_OUTCOME: dict[Outcome, frozenset[Method]] = {
    Outcome.WIN: frozenset(Method) - {Method.NO_CONTEST},
    Outcome.DRAW: DECISIONS,
    Outcome.NO_CONTEST: frozenset({Method.NO_CONTEST}),
}


@dataclass(frozen=True)
class BoutSnapshot:
    """What results knows of a schedule bout (a replica built from ``schedule.bouts.v1``)."""

    bout_id: str
    card_id: str
    card_date: date
    red_fighter_id: str
    blue_fighter_id: str
    weight_class: str
    scheduled_rounds: int
    status: str


class ResultReport(BaseModel):
    """What the officials report at the end of a bout."""

    model_config = ConfigDict(frozen=True, json_schema_extra={
        "examples": [
            {"outcome": "win", "winner_fighter_id": "3f2b9c4e-8d1a-4b7e-9f6a-2c5d8e1b7a40", "method": "KO/TKO",
             "round": 2, "time": "3:27"},
            {"outcome": "win", "winner_fighter_id": "3f2b9c4e-8d1a-4b7e-9f6a-2c5d8e1b7a40", "method": "DEC-S",
             "round": 3, "time": "5:00", "judges_scores": [
                 {"judge": "Ana Ruiz", "red": 29, "blue": 28}, {"judge": "Tom Hale", "red": 28, "blue": 29},
                 {"judge": "Mei Chen", "red": 29, "blue": 28}]},
        ]
    })

    outcome: Outcome
    winner_fighter_id: str | None = Field(default=None, max_length=36, description="Required for a win only")
    method: Method
    round: int = Field(description="Round the bout ended in; the last scheduled round for a decision")
    time: str = Field(max_length=5, description="m:ss into the round, 0:01 to 5:00; 5:00 for a decision")
    judges_scores: tuple[JudgeScore, ...] | None = Field(default=None, description="Three totals, decisions only")

    def report(self) -> ResultReport:
        """Just the report (a request body or a result is a report with more)."""
        return ResultReport.model_validate(self.model_dump(include=set(ResultReport.model_fields)))


class BoutResult(ResultReport):
    """The official result of one bout."""

    model_config = ConfigDict(json_schema_extra=None)

    bout_id: str
    card_id: str
    bout_date: date
    weight_class: str
    red_fighter_id: str
    blue_fighter_id: str
    recorded_at: datetime

    @classmethod
    def record(
        cls, bout: BoutSnapshot, report: ResultReport, now: datetime, existing: BoutResult | None
    ) -> tuple[BoutResult, ResultRecorded]:
        """The result of ``bout`` as ``report`` states it, if every rule allows it.

        Rules, each refusal naming the field it is about:

        * a bout has one result (``bout_id``, conflict) and takes one only while scheduled — not once cancelled
          (``bout_id``, conflict); its card date must have passed: ``card_date < now.date()`` (``bout_id``);
        * ``winner_fighter_id`` is the red or the blue fighter for a win and absent for a draw or a no contest;
        * ``method`` fits the outcome: a win is KO/TKO, SUB, DQ or a decision (DEC-U/S/M); a draw is a decision
          (DEC-U/S/M); a no contest is NC;
        * ``round`` is between 1 and the bout's scheduled rounds (5 for title bouts and main events, otherwise 3);
        * ``time`` is ``m:ss`` between 0:01 and 5:00 (rounds last five minutes);
        * a decision goes the distance — it ends in the last scheduled round at 5:00 — and carries exactly three
          judges' totals that agree with it (see :func:`results.domain.scorecards.check_scorecards`); any other
          method carries no scorecards.
        """
        if existing is not None:
            raise ResultAlreadyRecorded(bout.bout_id)
        if bout.status != "scheduled":
            raise BoutNotScheduled(f"bout {bout.bout_id!r} is {bout.status}; only a scheduled bout takes a result",
                                   field="bout_id")
        if not bout.card_date < now.date():
            raise InvalidResult(
                f"the card of bout {bout.bout_id!r} is on {bout.card_date.isoformat()}; a result is recorded only "
                "after the card date has passed", field="bout_id",
            )
        _check_winner(bout, report)
        if report.method not in METHODS_BY_OUTCOME[report.outcome]:
            allowed = ", ".join(sorted(method.value for method in METHODS_BY_OUTCOME[report.outcome]))
            raise InvalidResult(
                f"a {report.outcome.value} ends by {allowed}, not {report.method.value}", field="method"
            )
        if not 1 <= report.round <= bout.scheduled_rounds:
            raise InvalidResult(
                f"round must be between 1 and {bout.scheduled_rounds} (the rounds this bout was scheduled for)",
                field="round",
            )
        seconds = fight_time_seconds(report.time)
        scores = report.judges_scores or None
        if report.method.is_decision:
            if report.round != bout.scheduled_rounds or seconds != ROUND_SECONDS:
                field = "round" if report.round != bout.scheduled_rounds else "time"
                raise InvalidResult(
                    f"a decision goes the distance: it ends in round {bout.scheduled_rounds} at 5:00", field=field
                )
            try:
                check_scorecards(report.method.value, _winner_corner(bout, report), scores, bout.scheduled_rounds)
            except ScorecardsRefused as refused:
                raise InvalidResult(str(refused), field="judges_scores" + refused.where) from refused
        elif scores is not None:
            raise InvalidResult(
                f"only decisions carry judges' scores, not {report.method.value}", field="judges_scores"
            )
        result = cls(
            **{**report.report().model_dump(), "judges_scores": scores},
            bout_id=bout.bout_id,
            card_id=bout.card_id,
            bout_date=bout.card_date,
            weight_class=bout.weight_class,
            red_fighter_id=bout.red_fighter_id,
            blue_fighter_id=bout.blue_fighter_id,
            recorded_at=now,
        )
        return result, ResultRecorded(result)


def fight_time_seconds(time: str) -> int:
    """Seconds into the round of an ``m:ss`` time between 0:01 and 5:00; refuses anything else naming ``time``."""
    match = _FIGHT_TIME.match(time)
    if match is None:
        raise InvalidResult(f"time must be m:ss such as 3:27, not {time!r}", field="time")
    seconds = int(match.group(1)) * 60 + int(match.group(2))
    if not 1 <= seconds <= ROUND_SECONDS:
        raise InvalidResult(f"time must be between 0:01 and 5:00 (rounds last five minutes), not {time}", field="time")
    return seconds


def _check_winner(bout: BoutSnapshot, report: ResultReport) -> None:
    winner = report.winner_fighter_id
    if report.outcome is Outcome.WIN:
        if winner is None:
            raise InvalidResult("a win needs winner_fighter_id (the red or the blue fighter)",
                                field="winner_fighter_id")
        if winner not in (bout.red_fighter_id, bout.blue_fighter_id):
            raise InvalidResult(f"fighter {winner!r} is not in this bout; the winner is the red or the blue fighter",
                                field="winner_fighter_id")
    elif winner is not None:
        raise InvalidResult(f"a {report.outcome.value} has no winner; leave winner_fighter_id out",
                            field="winner_fighter_id")


def _winner_corner(bout: BoutSnapshot, report: ResultReport) -> str | None:
    if report.winner_fighter_id is None:
        return None
    return "red" if report.winner_fighter_id == bout.red_fighter_id else "blue"
