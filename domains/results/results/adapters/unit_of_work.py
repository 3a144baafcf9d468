"""Results' SQL unit of work: results, the bout replica and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.store.unit_of_work import SqlUnitOfWork
from results.adapters.products import MAJOR, PRODUCT, result_record_v1
from results.adapters.repository import SqlBoutReplica, SqlResultRepository
from results.domain.events import ResultEvent


class SqlResultsUnitOfWork(SqlUnitOfWork):
    """Implements :class:`results.service.unit_of_work.ResultsUnitOfWork` over results' store."""

    results: SqlResultRepository
    bouts: SqlBoutReplica

    def _open_repositories(self, session: Session) -> None:
        self.results = SqlResultRepository(session)
        self.bouts = SqlBoutReplica(session)

    def record(self, event: ResultEvent) -> None:
        self.publish(
            self.events.create(
                product=PRODUCT,
                major=MAJOR,
                entity="result",
                verb="recorded",
                key=event.result.bout_id,
                data=result_record_v1(event.result),
            )
        )
