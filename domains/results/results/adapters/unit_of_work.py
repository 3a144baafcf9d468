"""Results' SQL unit of work: results, the bout replica and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.domain_api import Announcements, SqlUnitOfWork
from results.adapters.repository import SqlBoutReplica, SqlResultRepository
from results.adapters.tables import BOUT_RESULTS
from results.domain.events import ResultEvent, ResultRecorded

# The product and verb of each domain event: octagon.results.result.<verb>.v1 (the contract lists them).
ANNOUNCEMENTS = Announcements({ResultRecorded: (BOUT_RESULTS, "recorded")})


class SqlResultsUnitOfWork(SqlUnitOfWork):
    """Implements :class:`results.service.unit_of_work.ResultsUnitOfWork` over results' store."""

    results: SqlResultRepository
    bouts: SqlBoutReplica

    def _open_repositories(self, session: Session) -> None:
        self.results = SqlResultRepository(session)
        self.bouts = SqlBoutReplica(session)

    def record(self, event: ResultEvent) -> None:
        self.publish(ANNOUNCEMENTS.event(self.events, event))
