"""Stats' own store: the replicas of roster and results, the derived products, the announcement log and the
platform's tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from mesh_platform.domain_api import StoredProduct, define_platform_tables
from stats.domain.model import FighterRecord, Ranking


class StatsTable(SQLModel, registry=registry()):
    """Base of stats' tables (a metadata of its own)."""


class FighterReplicaRow(StatsTable, table=True):
    """Roster's fighters as stats last heard of them (built from ``roster.fighters.v1``)."""

    __tablename__ = "fighter_replica"

    fighter_id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    weight_class: str = Field(max_length=40)
    status: str = Field(max_length=20)
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True), description="roster's updated_at")


class ResultReplicaRow(StatsTable, table=True):
    """Results' bout results as stats counts them (built from ``results.bout-results.v1``)."""

    __tablename__ = "result_replica"

    bout_id: str = Field(primary_key=True, max_length=36)
    bout_date: dt.date = Field(index=True)
    weight_class: str = Field(max_length=40, index=True)
    red_fighter_id: str = Field(max_length=36, index=True)
    blue_fighter_id: str = Field(max_length=36, index=True)
    outcome: str = Field(max_length=20)
    winner_fighter_id: str | None = Field(default=None, max_length=36)
    method: str = Field(max_length=10)
    recorded_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class FighterRecordRow(StatsTable, FighterRecord, table=True):
    """The ``fighter-records`` product: every field from the domain's record; here only what SQL needs beyond it."""

    __tablename__ = "fighter_records"
    model_config = {"frozen": False}  # rows are loaded and changed by the ORM

    fighter_id: str = Field(primary_key=True, max_length=36)
    weight_class: str = Field(max_length=40, index=True)
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class RankingRow(StatsTable, Ranking, table=True):
    """The ``rankings`` product: every field from the domain's ranking; here only what SQL needs beyond it."""

    __tablename__ = "rankings"
    model_config = {"frozen": False}  # rows are loaded and changed by the ORM

    weight_class: str = Field(primary_key=True, max_length=40)
    # Stored as JSON: the entries as mappings, where the domain model holds RankingEntry values.
    entries: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))  # type: ignore[assignment]
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


FIGHTER_RECORDS = StoredProduct(
    "fighter-records", 1, entity="record", table=FighterRecordRow.__table__,  # type: ignore[attr-defined]
    filters=("weight_class",),
)
RANKINGS = StoredProduct("rankings", 1, entity="ranking", table=RankingRow.__table__)  # type: ignore[attr-defined]


class AnnouncementRow(StatsTable, table=True):
    """The last state of each product record announced on stats' topics (kept through a replay)."""

    __tablename__ = "announcements"

    product: str = Field(primary_key=True, max_length=40)
    item_key: str = Field(primary_key=True, max_length=64)
    version: dt.datetime = Field(sa_type=DateTime(timezone=True), description="the announced record's updated_at")
    digest: str = Field(max_length=64, description="sha-256 of the announced record")


PLATFORM_TABLES = define_platform_tables(StatsTable.metadata)

# What `POST /admin/replay` empties: everything derived from events. The announcement log and the outbox stay —
# they describe what subscribers of stats' topics have already received.
REBUILT_TABLES = [
    FighterReplicaRow.__table__, ResultReplicaRow.__table__, FighterRecordRow.__table__, RankingRow.__table__,  # type: ignore[attr-defined]
]
