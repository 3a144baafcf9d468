"""Schedule's own store: cards and bouts (derived from the domain's ``EventCard`` and ``Bout``), the fighter replica
and the platform's tables.

The card and bout tables inherit every field from the domain's models and name only what SQL needs beyond them (keys,
indexes, enums stored as their wire value, time zones); each product's filters are declared beside the indexes that
keep them cheap.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from mesh_platform.domain_api import StoredProduct, define_platform_tables
from schedule.domain.model import Bout, EventCard


class ScheduleTable(SQLModel, registry=registry()):
    """Base of schedule's tables (a metadata of its own)."""


class CardRow(ScheduleTable, EventCard, table=True):
    __tablename__ = "event_cards"
    model_config = {"frozen": False}  # rows are loaded and changed by the ORM

    card_id: str = Field(primary_key=True, max_length=36)
    date: dt.date = Field(index=True)
    country: str = Field(max_length=2, index=True)
    status: str = Field(max_length=20, index=True)  # type: ignore[assignment]  # the enum's wire value as text
    announced_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class BoutRow(ScheduleTable, Bout, table=True):
    __tablename__ = "bouts"
    model_config = {"frozen": False}  # rows are loaded and changed by the ORM

    bout_id: str = Field(primary_key=True, max_length=36)
    card_id: str = Field(index=True, max_length=36, foreign_key="event_cards.card_id")
    card_date: dt.date = Field(index=True)
    red_fighter_id: str = Field(index=True, max_length=36)
    blue_fighter_id: str = Field(index=True, max_length=36)
    weight_class: str = Field(max_length=40, index=True)
    status: str = Field(max_length=20, index=True)  # type: ignore[assignment]  # the enum's wire value as text
    scheduled_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


EVENT_CARDS = StoredProduct(
    "event-cards", 1, entity="card", table=CardRow.__table__,  # type: ignore[attr-defined]
    filters=("status", "country", "date"),
)
BOUTS = StoredProduct(
    "bouts", 1, entity="bout", table=BoutRow.__table__,  # type: ignore[attr-defined]
    filters=("card_id", "status", "weight_class", "card_date"),
)


class FighterReplicaRow(ScheduleTable, table=True):
    """Roster's fighters as schedule last heard of them (built from ``roster.fighters.v1``)."""

    __tablename__ = "fighter_replica"

    fighter_id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    weight_class: str = Field(max_length=40)
    status: str = Field(max_length=20)
    version: dt.datetime = Field(sa_type=DateTime(timezone=True), description="roster's updated_at of the state we hold")


PLATFORM_TABLES = define_platform_tables(ScheduleTable.metadata)
