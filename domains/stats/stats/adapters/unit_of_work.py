"""Stats' SQL unit of work: replicas, products, the announcement log and their events commit together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.domain_api import Announcements, SqlUnitOfWork
from stats.adapters.replicas import SqlFighterReplica, SqlResultReplica
from stats.adapters.repository import SqlAnnouncementLog, SqlRankingRepository, SqlRecordRepository
from stats.adapters.tables import FIGHTER_RECORDS, RANKINGS
from stats.domain.events import FighterRecordUpdated, RankingUpdated, StatsEvent
from stats.service.unit_of_work import StaleKeys

# The product and verb of each domain event: octagon.stats.<record|ranking>.<verb>.v1 (the contracts list them).
ANNOUNCEMENTS = Announcements({
    FighterRecordUpdated: (FIGHTER_RECORDS, "updated"),
    RankingUpdated: (RANKINGS, "updated"),
})


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
        self.publish(ANNOUNCEMENTS.event(self.events, event))
