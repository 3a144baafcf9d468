"""What stats consumes and how: roster's fighters and results' bout results, then one re-derivation per batch.

The event classes are generated from roster's and results' contracts (``stats.adapters.consumed_events``); which
product majors stats reads is declared once, in ``contracts/stats/subscriptions.yaml``.
"""

from __future__ import annotations

from sqlalchemy import text

from mesh_platform.domain_api import SubscriptionSpec
from stats.adapters.consumed_events import FighterRegisteredV1, FighterRetiredV1, FighterUpdatedV1, ResultRecordedV1
from stats.adapters.unit_of_work import SqlStatsUnitOfWork
from stats.domain.model import CountedResult, FighterSnapshot
from stats.service import handlers

FighterEvent = FighterRegisteredV1 | FighterUpdatedV1 | FighterRetiredV1


def fighter_snapshot(fighter: FighterEvent) -> FighterSnapshot:
    """What stats keeps of a ``fighters`` v1 record."""
    return FighterSnapshot(
        fighter_id=fighter.fighter_id,
        name=fighter.name,
        weight_class=fighter.weight_class,
        status=fighter.status,
        updated_at=fighter.updated_at,
    )


def counted_result(result: ResultRecordedV1) -> CountedResult:
    """What stats keeps of a ``bout-results`` v1 record."""
    return CountedResult(
        bout_id=result.bout_id,
        bout_date=result.bout_date,
        weight_class=result.weight_class,
        red_fighter_id=result.red_fighter_id,
        blue_fighter_id=result.blue_fighter_id,
        outcome=result.outcome,
        winner_fighter_id=result.winner_fighter_id,
        method=result.method,
        recorded_at=result.recorded_at,
    )


def on_fighter(uow: SqlStatsUnitOfWork, fighter: FighterEvent) -> None:
    handlers.fighter_published(fighter_snapshot(fighter), uow)


def on_result(uow: SqlStatsUnitOfWork, result: ResultRecordedV1) -> None:
    handlers.result_published(counted_result(result), uow)


def refresh_stale(uow: SqlStatsUnitOfWork) -> None:
    """After a batch's handlers: re-derive, once, every record and ranking the batch made stale."""
    _serialize_stale_keys(uow)
    handlers.refresh_stale(uow)


def _serialize_stale_keys(uow: SqlStatsUnitOfWork) -> None:
    """Make concurrent transactions re-derive the same record or ranking one after the other (PostgreSQL).

    Two instances of stats handle different partitions, so two results of one fighter can commit at once; each
    would re-derive the record from a snapshot without the other's result, and the last commit would lose one
    (found by tests/fault/test_scale_out.py). A transaction-scoped advisory lock per stale key, taken in one
    order, makes the second wait until the first committed; its re-derivation then reads both results.
    """
    session = uow.session
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite allows one writer at a time
    keys = sorted([f"stats.record:{key}" for key in uow.stale.fighter_ids]
                  + [f"stats.ranking:{key}" for key in uow.stale.weight_classes])
    for key in keys:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


SUBSCRIPTION: SubscriptionSpec[SqlStatsUnitOfWork] = SubscriptionSpec(
    handlers={
        FighterRegisteredV1: on_fighter,
        FighterUpdatedV1: on_fighter,
        FighterRetiredV1: on_fighter,
        ResultRecordedV1: on_result,
    },
    after_handlers=refresh_stale,
)
