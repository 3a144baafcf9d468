"""Schedule's SQL unit of work: cards, bouts, the replica and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.domain_api import Announcements, SqlUnitOfWork
from schedule.adapters.repository import SqlBoutRepository, SqlCardRepository, SqlFighterReplica
from schedule.adapters.tables import BOUTS, EVENT_CARDS
from schedule.domain.events import (
    BoutCancelled,
    BoutCompleted,
    BoutScheduled,
    CardAnnounced,
    CardCancelled,
    ScheduleEvent,
)

# The product and verb of each domain event: octagon.schedule.<card|bout>.<verb>.v1 (the contracts list them).
ANNOUNCEMENTS = Announcements({
    CardAnnounced: (EVENT_CARDS, "announced"),
    CardCancelled: (EVENT_CARDS, "cancelled"),
    BoutScheduled: (BOUTS, "scheduled"),
    BoutCancelled: (BOUTS, "cancelled"),
    BoutCompleted: (BOUTS, "completed"),
})


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
        self.publish(ANNOUNCEMENTS.event(self.events, event))
