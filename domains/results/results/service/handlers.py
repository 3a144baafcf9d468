"""Results' commands and reactions. They stage changes and events in the unit of work; the caller commits."""

from __future__ import annotations

from datetime import datetime

from results.domain.exceptions import BoutNotFound
from results.domain.model import BoutResult, BoutSnapshot, ResultReport
from results.service.unit_of_work import BoutDirectory, ResultsUnitOfWork


def record_bout_result(
    bout_id: str, report: ResultReport, uow: ResultsUnitOfWork, directory: BoutDirectory, now: datetime
) -> BoutResult:
    """Record the official result of a bout that took place."""
    bout = _bout(bout_id, uow, directory)
    result, event = BoutResult.record(bout, report, now, uow.results.get(bout_id))
    uow.results.add(result)
    uow.record(event)
    return result


def bout_published(bout: BoutSnapshot, version: datetime, uow: ResultsUnitOfWork) -> None:
    """Schedule published a bout's current state: keep the replica up to date."""
    uow.bouts.upsert(bout, version)


def _bout(bout_id: str, uow: ResultsUnitOfWork, directory: BoutDirectory) -> BoutSnapshot:
    bout = uow.bouts.get(bout_id)
    if bout is None:
        # The replica lags schedule by an event or two; schedule's HTTP port is the authority meanwhile.
        found = directory.find(bout_id)
        if found is None:
            raise BoutNotFound(bout_id)
        bout, version = found
        uow.bouts.upsert(bout, version)
    return bout
