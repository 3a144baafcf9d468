"""Why results refuses a command."""

from __future__ import annotations

from mesh_platform.domain_api import Conflict, NotFound, RuleViolated


class BoutNotFound(NotFound):
    """Neither the replica nor schedule's port knows the bout."""

    def __init__(self, bout_id: str) -> None:
        super().__init__(f"no bout with id {bout_id!r} on the schedule", field="bout_id")


class ResultAlreadyRecorded(Conflict):
    def __init__(self, bout_id: str) -> None:
        super().__init__(f"bout {bout_id!r} already has a result; a result is recorded once", field="bout_id")


class BoutNotScheduled(Conflict):
    """The bout was cancelled (or completed without a result here); it takes no result."""


class InvalidResult(RuleViolated):
    """A result that breaks a recording rule (card date, winner, method, round, time, scorecards)."""
