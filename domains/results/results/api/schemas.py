"""Request and response bodies of results' command endpoints."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from results.domain.model import BoutResult, Method, Outcome, ResultReport
from results.domain.scorecards import JudgeScore


class JudgeScoreIn(BaseModel):
    """One judge's totals for the whole bout."""

    model_config = ConfigDict(extra="forbid")

    judge: str = Field(min_length=1, max_length=80)
    red: int
    blue: int


class ResultCreate(BaseModel):
    """The official result of a bout."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
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
    judges_scores: list[JudgeScoreIn] | None = Field(default=None, description="Three totals, decisions only")

    def to_report(self) -> ResultReport:
        scores = tuple(JudgeScore(**score.model_dump()) for score in self.judges_scores or ())
        return ResultReport(
            outcome=self.outcome,
            winner_fighter_id=self.winner_fighter_id,
            method=self.method,
            round=self.round,
            time=self.time,
            judges_scores=scores or None,
        )


class JudgeScorePublic(BaseModel):
    judge: str
    red: int
    blue: int


class ResultPublic(BaseModel):
    """A result as results' command endpoint returns it (the ``bout-results`` v1 record)."""

    bout_id: str
    card_id: str
    bout_date: dt.date
    weight_class: str
    red_fighter_id: str
    blue_fighter_id: str
    outcome: Outcome
    winner_fighter_id: str | None
    method: Method
    round: int
    time: str
    judges_scores: list[JudgeScorePublic] | None
    recorded_at: dt.datetime

    @classmethod
    def of(cls, result: BoutResult) -> ResultPublic:
        columns = dict(result.__dict__)
        if result.judges_scores is not None:
            columns["judges_scores"] = [JudgeScorePublic(**score.__dict__) for score in result.judges_scores]
        return cls(**columns)
