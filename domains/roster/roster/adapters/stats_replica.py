"""Roster's replica of stats' records and rankings: its tables, repositories, unit of work and the fighters product
read with the replica beside each fighter (the ``stats`` object of ``fighters`` v1.1).

The replica has tables of its own (never columns of ``fighters``): roster's facts and stats' copies stay apart, and a
replay rebuilds the copies without touching a fighter.

Each copy also keeps when roster stored it (``received_at``). A fighter's record in the product changes when its
own row or its copies change, so the column incremental reads filter on (``updated_at`` of the joined read, what
``?since=`` on the analytical port compares) is the latest of the fighter's own ``updated_at`` and the receipt times
of its record and ranking copies: a fighter whose rank or record alone changed is returned, with the new values.
The record still shows the fighter's own ``updated_at`` (the contract: a replica change does not move it; the
copies carry their versions in ``record_as_of``/``ranking_as_of``). Receipt time, not stats' ``version``: a copy
arriving late (lag, replay) carries an old ``version`` but is news to roster's readers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, and_, case, delete, func, insert, select, type_coerce
from sqlalchemy.orm import Session
from sqlmodel import Field

from mesh_platform.domain_api import SqlTableSource, SqlUnitOfWork, as_utc, utc_timestamp
from roster.adapters.consumed_events import RankingUpdatedV1, RecordUpdatedV1
from roster.adapters.tables import RosterTable
from roster.domain.stats_replica import RankingCopy, RecordCopy

# Where the copies come from: the topics of the product majors in contracts/roster/subscriptions.yaml.
SOURCES = (RecordUpdatedV1.TOPIC, RankingUpdatedV1.TOPIC)
REPLICA_FIELD = "stats"  # the fighters product's object holding the replica
CHANGE_FIELD = "updated_at"  # the product's change timestamp (the analytical server's changeTimestampField)
_OWN_CHANGE = "fighter_updated_at"  # the fighter's own updated_at, carried beside the joined change time
_PREFIX = "stats__"  # the replica's columns in the joined read, kept apart from the fighter's own


class StatsRecordCopyRow(RosterTable, table=True):
    __tablename__ = "stats_record_copies"

    fighter_id: str = Field(primary_key=True, max_length=36)
    wins: int
    losses: int
    draws: int
    no_contests: int
    version: datetime = Field(sa_type=DateTime(timezone=True))  # stats' updated_at of the copy
    source_event_id: str = Field(max_length=64)
    received_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # None: stored before 0003


class StatsRankingCopyRow(RosterTable, table=True):
    __tablename__ = "stats_ranking_copies"

    weight_class: str = Field(primary_key=True, max_length=40)
    version: datetime = Field(sa_type=DateTime(timezone=True))  # stats' updated_at of the copy
    source_event_id: str = Field(max_length=64)
    received_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # None: stored before 0003


class StatsRankedCopyRow(RosterTable, table=True):
    __tablename__ = "stats_ranked_copies"

    weight_class: str = Field(primary_key=True, max_length=40)
    fighter_id: str = Field(primary_key=True, max_length=36)
    rank: int
    rating: float


RECORDS = StatsRecordCopyRow.__table__  # type: ignore[attr-defined]
RANKINGS = StatsRankingCopyRow.__table__  # type: ignore[attr-defined]
RANKED = StatsRankedCopyRow.__table__  # type: ignore[attr-defined]
REPLICA_TABLES = (RECORDS, RANKINGS, RANKED)  # what a replay of roster's subscription rebuilds


class SqlRecordCopies:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> RecordCopy | None:
        row = self.session.execute(select(RECORDS).where(RECORDS.c.fighter_id == fighter_id)).mappings().first()
        if row is None:
            return None
        held = {name: value for name, value in row.items() if name != "received_at"}
        return RecordCopy(**{**held, "version": as_utc(row["version"])})

    def put(self, copy: RecordCopy) -> None:
        self.session.execute(delete(RECORDS).where(RECORDS.c.fighter_id == copy.fighter_id))
        self.session.execute(insert(RECORDS).values(**copy.__dict__, received_at=datetime.now(UTC)))


class SqlRankingCopies:
    def __init__(self, session: Session) -> None:
        self.session = session

    def version(self, weight_class: str) -> datetime | None:
        held = self.session.execute(select(RANKINGS.c.version).where(RANKINGS.c.weight_class == weight_class)).scalar()
        return as_utc(held) if held is not None else None

    def put(self, copy: RankingCopy) -> None:
        for table in (RANKINGS, RANKED):
            self.session.execute(delete(table).where(table.c.weight_class == copy.weight_class))
        self.session.execute(insert(RANKINGS).values(
            weight_class=copy.weight_class, version=copy.version, source_event_id=copy.source_event_id,
            received_at=datetime.now(UTC)))
        if copy.entries:
            self.session.execute(insert(RANKED), [
                {"weight_class": copy.weight_class, **entry.__dict__} for entry in copy.entries
            ])


class SqlStatsReplicaUnitOfWork(SqlUnitOfWork):
    """Implements :class:`roster.service.stats_replica.StatsReplicaUnitOfWork`; it publishes nothing."""

    records: SqlRecordCopies
    rankings: SqlRankingCopies

    def _open_repositories(self, session: Session) -> None:
        self.records = SqlRecordCopies(session)
        self.rankings = SqlRankingCopies(session)


def fighters_with_stats(fighters: SqlTableSource) -> SqlTableSource:
    """The fighters product's source with the replica beside each fighter: the rank shown is the one in the
    division roster lists the fighter in. Same key, filters and record as ``fighters``, plus the ``stats`` object;
    the read's ``updated_at`` column is the record's change time, copies included (see the module's docstring)."""
    table = fighters.table
    joined = select(
        *(column for column in table.c if column.name != CHANGE_FIELD),
        changed_at(table.c[CHANGE_FIELD], RECORDS.c.received_at, RANKINGS.c.received_at).label(CHANGE_FIELD),
        table.c[CHANGE_FIELD].label(f"{_PREFIX}{_OWN_CHANGE}"),
        RECORDS.c.wins.label(f"{_PREFIX}wins"),
        RECORDS.c.losses.label(f"{_PREFIX}losses"),
        RECORDS.c.draws.label(f"{_PREFIX}draws"),
        RECORDS.c.no_contests.label(f"{_PREFIX}no_contests"),
        RECORDS.c.version.label(f"{_PREFIX}record_as_of"),
        RANKED.c.rank.label(f"{_PREFIX}rank"),
        RANKED.c.rating.label(f"{_PREFIX}rating"),
        RANKINGS.c.version.label(f"{_PREFIX}ranking_as_of"),
    ).select_from(
        table.outerjoin(RECORDS, RECORDS.c.fighter_id == fighters.key_column)
        .outerjoin(RANKINGS, RANKINGS.c.weight_class == table.c.weight_class)
        .outerjoin(RANKED, and_(RANKED.c.weight_class == RANKINGS.c.weight_class,
                                RANKED.c.fighter_id == fighters.key_column))
    ).subquery("fighters_with_stats")
    return SqlTableSource(
        fighters.engine, joined, fighters.key_column.name, with_replica(fighters.to_record), fighters.filter_columns
    )


def changed_at(own: Any, *copies: Any) -> Any:
    """The latest of ``own`` (never null) and the ``copies``' times (null when there is no copy), in portable SQL
    (SQLite's ``max(a, b)`` is null when one is; PostgreSQL's ``greatest`` is not)."""
    latest = own
    for copied in copies:
        latest = case((func.coalesce(copied, latest) > latest, copied), else_=latest)
    return type_coerce(latest, DateTime(timezone=True))


def with_replica(
    to_record: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The fighter's record from its own columns, and the ``stats`` object from the replica's (null when stats has
    published nothing about the fighter or their division)."""

    def record(row: Mapping[str, Any]) -> dict[str, Any]:
        own = {name: value for name, value in row.items() if not name.startswith(_PREFIX)}
        copied = {name[len(_PREFIX):]: value for name, value in row.items() if name.startswith(_PREFIX)}
        own[CHANGE_FIELD] = copied.pop(_OWN_CHANGE)
        result = to_record(own)
        if copied["record_as_of"] is None and copied["ranking_as_of"] is None:
            result[REPLICA_FIELD] = None
            return result
        for moment in ("record_as_of", "ranking_as_of"):
            if copied[moment] is not None:
                copied[moment] = utc_timestamp(as_utc(copied[moment]))
        result[REPLICA_FIELD] = {**copied, "sources": list(SOURCES)}
        return result

    return record
