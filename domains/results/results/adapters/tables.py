"""Results' own store: the results, the bout replica and the platform's tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from mesh_platform.store.platform_tables import define_platform_tables


class ResultsTable(SQLModel, registry=registry()):
    """Base of results' tables (a metadata of its own)."""


class BoutResultRow(ResultsTable, table=True):
    __tablename__ = "bout_results"

    bout_id: str = Field(primary_key=True, max_length=36)
    card_id: str = Field(index=True, max_length=36)
    bout_date: dt.date = Field(index=True)
    weight_class: str = Field(max_length=40, index=True)
    red_fighter_id: str = Field(max_length=36, index=True)
    blue_fighter_id: str = Field(max_length=36, index=True)
    outcome: str = Field(max_length=20, index=True)
    winner_fighter_id: str | None = Field(default=None, max_length=36, index=True)
    method: str = Field(max_length=10, index=True)
    round: int
    time: str = Field(max_length=5)
    judges_scores: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    recorded_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class BoutReplicaRow(ResultsTable, table=True):
    """Schedule's bouts as results last heard of them (built from ``schedule.bouts.v1``)."""

    __tablename__ = "bout_replica"

    bout_id: str = Field(primary_key=True, max_length=36)
    card_id: str = Field(max_length=36)
    card_date: dt.date
    red_fighter_id: str = Field(max_length=36)
    blue_fighter_id: str = Field(max_length=36)
    weight_class: str = Field(max_length=40)
    scheduled_rounds: int
    status: str = Field(max_length=20)
    version: dt.datetime = Field(sa_type=DateTime(timezone=True), description="time of the state we hold")


PLATFORM_TABLES = define_platform_tables(ResultsTable.metadata)
