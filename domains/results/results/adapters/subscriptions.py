"""How results reacts to other domains' events (schedule's bouts)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage
from mesh_platform.subscriptions.subscriber import EventHandler
from results.adapters.schedule_directory import bout_snapshot
from results.adapters.unit_of_work import SqlResultsUnitOfWork
from results.service import handlers

BOUTS_TOPIC = "schedule.bouts.v1"


def event_handlers(unit_of_work: Callable[[], SqlResultsUnitOfWork]) -> dict[str, EventHandler]:
    """Handlers by CloudEvents type; each works in the subscription's transaction."""

    def on_bout(session: Session, message: EventMessage) -> None:
        # The event time orders the states of one bout: a late, older event never overwrites a newer state.
        handlers.bout_published(bout_snapshot(message.data), message.time, unit_of_work().join(session))

    return {
        "octagon.schedule.bout.scheduled.v1": on_bout,
        "octagon.schedule.bout.cancelled.v1": on_bout,
        "octagon.schedule.bout.completed.v1": on_bout,
    }
