"""Stats' SQL unit of work: replicas, products, the announcement log and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.store.unit_of_work import SqlUnitOfWork
from stats.adapters.products import MAJOR, RANKINGS_PRODUCT, RECORDS_PRODUCT, fighter_record_v1, ranking_v1
from stats.adapters.repository import (
    SqlAnnouncementLog,
    SqlFighterReplica,
    SqlRankingRepository,
    SqlRecordRepository,
    SqlResultReplica,
)
from stats.domain.events import FighterRecordUpdated, StatsEvent
from stats.service.unit_of_work import StaleKeys


class SqlStatsUnitOfWork(SqlUnitOfWork):
    """Implements :class:`stats.service.unit_of_work.StatsUnitOfWork` over stats' store."""

    stale: StaleKeys
    fighters: SqlFighterReplica
    results: SqlResultReplica
    records: SqlRecordRepository
    rankings: SqlRankingRepository
    announcements: SqlAnnouncementLog

    def _open_repositories(self, session: Session) -> None:
        # A subscription joins one unit of work per batch: its handlers mark keys stale, and the subscription's
        # declared after-handlers step (stats.adapters.subscriptions.refresh_stale) re-derives them once.
        self.stale = StaleKeys()
        self.fighters = SqlFighterReplica(session)
        self.results = SqlResultReplica(session)
        self.records = SqlRecordRepository(session)
        self.rankings = SqlRankingRepository(session)
        self.announcements = SqlAnnouncementLog(session)

    def record(self, event: StatsEvent) -> None:
        if isinstance(event, FighterRecordUpdated):
            message = self.events.create(
                product=RECORDS_PRODUCT, major=MAJOR, entity="record", verb="updated",
                key=event.record.fighter_id, data=fighter_record_v1(event.record),
            )
        else:
            message = self.events.create(
                product=RANKINGS_PRODUCT, major=MAJOR, entity="ranking", verb="updated",
                key=event.ranking.weight_class, data=ranking_v1(event.ranking),
            )
        self.publish(message)
