"""Roster's SQL unit of work: fighters and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.domain_api import Announcements, SqlUnitOfWork
from roster.adapters.repository import SqlFighterRepository
from roster.adapters.tables import FIGHTERS
from roster.domain.events import FighterEvent, FighterRegistered, FighterRetired, FighterUpdated

# The product and verb of each domain event: octagon.roster.fighter.<verb>.v1 (the contract lists them).
ANNOUNCEMENTS = Announcements({
    FighterRegistered: (FIGHTERS, "registered"),
    FighterUpdated: (FIGHTERS, "updated"),
    FighterRetired: (FIGHTERS, "retired"),
})


class SqlRosterUnitOfWork(SqlUnitOfWork):
    """Implements :class:`roster.service.unit_of_work.RosterUnitOfWork` over roster's store."""

    fighters: SqlFighterRepository

    def _open_repositories(self, session: Session) -> None:
        self.fighters = SqlFighterRepository(session)

    def record(self, event: FighterEvent) -> None:
        self.publish(ANNOUNCEMENTS.event(self.events, event))
