"""Schedule's SQL unit of work: cards, bouts, the replica and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.store.unit_of_work import SqlUnitOfWork
from schedule.adapters.products import BOUTS_PRODUCT, CARDS_PRODUCT, MAJOR, bout_record_v1, card_record_v1
from schedule.adapters.repository import SqlBoutRepository, SqlCardRepository, SqlFighterReplica
from schedule.domain.events import (
    BoutCancelled,
    BoutCompleted,
    BoutScheduled,
    CardAnnounced,
    CardCancelled,
    ScheduleEvent,
)


class SqlScheduleUnitOfWork(SqlUnitOfWork):
    """Implements :class:`schedule.service.unit_of_work.ScheduleUnitOfWork` over schedule's store."""

    cards: SqlCardRepository
    bouts: SqlBoutRepository
    fighters: SqlFighterReplica

    def _open_repositories(self, session: Session) -> None:
        self.cards = SqlCardRepository(session)
        self.bouts = SqlBoutRepository(session)
        self.fighters = SqlFighterReplica(session)

    def record(self, event: ScheduleEvent) -> None:
        if isinstance(event, CardAnnounced | CardCancelled):
            verb = "announced" if isinstance(event, CardAnnounced) else "cancelled"
            message = self.events.create(
                product=CARDS_PRODUCT, major=MAJOR, entity="card", verb=verb,
                key=event.card.card_id, data=card_record_v1(event.card),
            )
        else:
            verb = {BoutScheduled: "scheduled", BoutCancelled: "cancelled", BoutCompleted: "completed"}[type(event)]
            message = self.events.create(
                product=BOUTS_PRODUCT, major=MAJOR, entity="bout", verb=verb,
                key=event.bout.bout_id, data=bout_record_v1(event.bout),
            )
        self.publish(message)
