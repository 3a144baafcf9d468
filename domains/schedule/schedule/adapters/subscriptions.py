"""How schedule reacts to other domains' events (roster's fighters, results' outcomes)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage
from mesh_platform.subscriptions.subscriber import EventHandler
from schedule.adapters.unit_of_work import SqlScheduleUnitOfWork
from schedule.domain.model import FighterSnapshot
from schedule.service import handlers

FIGHTERS_TOPIC = "roster.fighters.v1"
RESULTS_TOPIC = "results.bout-results.v1"


def event_handlers(unit_of_work: Callable[[], SqlScheduleUnitOfWork]) -> dict[str, EventHandler]:
    """Handlers by CloudEvents type; each works in the subscription's transaction."""

    def on_fighter(session: Session, message: EventMessage) -> None:
        data = message.data
        snapshot = FighterSnapshot(data["fighter_id"], data["name"], data["weight_class"], data["status"])
        handlers.fighter_published(snapshot, data["updated_at"], unit_of_work().join(session))

    def on_result(session: Session, message: EventMessage) -> None:
        handlers.result_recorded(message.data["bout_id"], unit_of_work().join(session))

    return {
        "octagon.roster.fighter.registered.v1": on_fighter,
        "octagon.roster.fighter.updated.v1": on_fighter,
        "octagon.roster.fighter.retired.v1": on_fighter,
        "octagon.results.result.recorded.v1": on_result,
    }
