"""Results' own store: the results (derived from the domain's ``BoutResult``), the bout replica and the platform's
tables.

``BoutResultRow`` inherits every field from :class:`results.domain.model.BoutResult` and names only what SQL needs
beyond it (key, indexes, column widths, enums stored as their wire value, JSON, time zones); the product's filters are
declared beside the indexes that keep them cheap.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from mesh_platform.domain_api import StoredProduct, define_platform_tables
from results.domain.model import BoutResult


class ResultsTable(SQLModel, registry=registry()):
    """Base of results' tables (a metadata of its own)."""


class BoutResultRow(ResultsTable, BoutResult, table=True):
    __tablename__ = "bout_results"
    model_config = {"frozen": False}  # rows are loaded and changed by the ORM

    bout_id: str = Field(primary_key=True, max_length=36)
    card_id: str = Field(index=True, max_length=36)
    bout_date: dt.date = Field(index=True)
    weight_class: str = Field(max_length=40, index=True)
    red_fighter_id: str = Field(max_length=36, index=True)
    blue_fighter_id: str = Field(max_length=36, index=True)
    outcome: str = Field(max_length=20, index=True)  # type: ignore[assignment]  # the enum's wire value as text
    winner_fighter_id: str | None = Field(default=None, max_length=36, index=True)
    method: str = Field(max_length=10, index=True)  # type: ignore[assignment]  # the enum's wire value as text
    # The scores as JSON objects in one column; the domain model reads them back as JudgeScore tuples.
    judges_scores: list[dict[str, Any]] | None = Field(  # type: ignore[assignment]
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    recorded_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


BOUT_RESULTS = StoredProduct(
    "bout-results", 1, entity="result", table=BoutResultRow.__table__,  # type: ignore[attr-defined]
    filters=("card_id", "weight_class", "outcome", "method", "winner_fighter_id"),
)


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
