"""Roster's SQL unit of work: fighters and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.store.unit_of_work import SqlUnitOfWork
from roster.adapters.products import MAJOR, PRODUCT, fighter_event_v1
from roster.adapters.repository import SqlFighterRepository
from roster.domain.events import FighterEvent, FighterRegistered, FighterRetired, FighterUpdated

_VERBS = {FighterRegistered: "registered", FighterUpdated: "updated", FighterRetired: "retired"}


class SqlRosterUnitOfWork(SqlUnitOfWork):
    """Implements :class:`roster.service.unit_of_work.RosterUnitOfWork` over roster's store."""

    fighters: SqlFighterRepository

    def _open_repositories(self, session: Session) -> None:
        self.fighters = SqlFighterRepository(session)

    def record(self, event: FighterEvent) -> None:
        self.publish(
            self.events.create(
                product=PRODUCT,
                major=MAJOR,
                entity="fighter",
                verb=_VERBS[type(event)],
                key=event.fighter.fighter_id,
                data=fighter_event_v1(event.fighter),
            )
        )
