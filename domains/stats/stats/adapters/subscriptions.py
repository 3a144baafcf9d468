"""How stats reacts to other domains' events: roster's fighters and results' bout results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage
from mesh_platform.subscriptions.subscriber import EventHandler
from stats.adapters.unit_of_work import SqlStatsUnitOfWork
from stats.domain.model import CountedResult, FighterSnapshot
from stats.service import handlers
from stats.service.unit_of_work import StaleKeys

FIGHTERS_TOPIC = "roster.fighters.v1"
RESULTS_TOPIC = "results.bout-results.v1"
TOPICS = [FIGHTERS_TOPIC, RESULTS_TOPIC]
_REFRESH_HOOKED = "stats.refresh_hooked"


def fighter_snapshot(record: dict[str, Any]) -> FighterSnapshot:
    """What stats keeps of a ``fighters`` v1 record."""
    return FighterSnapshot(
        fighter_id=record["fighter_id"],
        name=record["name"],
        weight_class=record["weight_class"],
        status=record["status"],
        updated_at=datetime.fromisoformat(record["updated_at"]),
    )


def counted_result(record: dict[str, Any]) -> CountedResult:
    """What stats keeps of a ``bout-results`` v1 record."""
    return CountedResult(
        bout_id=record["bout_id"],
        bout_date=date.fromisoformat(record["bout_date"]),
        weight_class=record["weight_class"],
        red_fighter_id=record["red_fighter_id"],
        blue_fighter_id=record["blue_fighter_id"],
        outcome=record["outcome"],
        winner_fighter_id=record.get("winner_fighter_id"),
        method=record["method"],
        recorded_at=datetime.fromisoformat(record["recorded_at"]),
    )


def _serialize_stale_keys(session: Session, stale: StaleKeys) -> None:
    """Make concurrent transactions re-derive the same record or ranking one after the other (PostgreSQL).

    Two instances of stats handle different partitions, so two results of one fighter can commit at once; each
    would re-derive the record from a snapshot without the other's result, and the last commit would lose one
    (found by tests/fault/test_scale_out.py). A transaction-scoped advisory lock per stale key, taken in one
    order, makes the second wait until the first committed; its re-derivation then reads both results.
    """
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite allows one writer at a time
    keys = sorted([f"stats.record:{key}" for key in stale.fighter_ids]
                  + [f"stats.ranking:{key}" for key in stale.weight_classes])
    for key in keys:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def event_handlers(unit_of_work: Callable[[], SqlStatsUnitOfWork]) -> dict[str, EventHandler]:
    """Handlers by CloudEvents type; each works in the subscription's transaction."""

    def refresh_before_commit(session: Session) -> None:
        # A subscription handles a whole poll batch in one transaction: re-derive what the batch touched once, as
        # that transaction commits (not at the savepoints the subscription may use to isolate a refused event).
        if session.info.get(_REFRESH_HOOKED):
            return
        session.info[_REFRESH_HOOKED] = True

        def refresh(committing: Session) -> None:
            if not committing.in_nested_transaction():
                joined = unit_of_work().join(committing)
                _serialize_stale_keys(committing, joined.stale)
                handlers.refresh_stale(joined)

        event.listen(session, "before_commit", refresh)

    def on_fighter(session: Session, message: EventMessage) -> None:
        handlers.fighter_published(fighter_snapshot(message.data), unit_of_work().join(session))
        refresh_before_commit(session)

    def on_result(session: Session, message: EventMessage) -> None:
        handlers.result_published(counted_result(message.data), unit_of_work().join(session))
        refresh_before_commit(session)

    return {
        "octagon.roster.fighter.registered.v1": on_fighter,
        "octagon.roster.fighter.updated.v1": on_fighter,
        "octagon.roster.fighter.retired.v1": on_fighter,
        "octagon.results.result.recorded.v1": on_result,
    }
