"""What roster consumes and how: stats' records and rankings, kept as a labelled replica (reverse ETL).

The event classes are generated from stats' contracts (``roster.adapters.consumed_events``); which product majors
roster reads is declared once, in ``contracts/roster/subscriptions.yaml``. Stats derives its products from roster's
events, so this closes a loop (roster -> stats -> roster); roster's own events never carry the replica, so the loop
ends here.
"""

from __future__ import annotations

from mesh_platform.domain_api import SubscriptionSpec
from roster.adapters.consumed_events import RankingUpdatedV1, RecordUpdatedV1
from roster.adapters.stats_replica import SqlStatsReplicaUnitOfWork
from roster.domain.stats_replica import RankedCopy, RankingCopy, RecordCopy
from roster.service import stats_replica


def on_record(uow: SqlStatsReplicaUnitOfWork, record: RecordUpdatedV1) -> None:
    stats_replica.record_published(
        RecordCopy(
            fighter_id=record.fighter_id,
            wins=record.wins,
            losses=record.losses,
            draws=record.draws,
            no_contests=record.no_contests,
            version=record.updated_at,  # stats' version of the record, not the event's arrival
            source_event_id=record.envelope.id,
        ),
        uow,
    )


def on_ranking(uow: SqlStatsReplicaUnitOfWork, ranking: RankingUpdatedV1) -> None:
    entries = tuple(RankedCopy(entry.fighter_id, entry.rank, entry.rating) for entry in ranking.entries)
    stats_replica.ranking_published(
        RankingCopy(ranking.weight_class, entries, version=ranking.updated_at, source_event_id=ranking.envelope.id), uow
    )


SUBSCRIPTION: SubscriptionSpec[SqlStatsReplicaUnitOfWork] = SubscriptionSpec(
    handlers={RecordUpdatedV1: on_record, RankingUpdatedV1: on_ranking},
)
