"""Schedule's own store: cards, bouts, the fighter replica and the platform's tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from mesh_platform.store.platform_tables import define_platform_tables


class ScheduleTable(SQLModel, registry=registry()):
    """Base of schedule's tables (a metadata of its own)."""


class CardRow(ScheduleTable, table=True):
    __tablename__ = "event_cards"

    card_id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    date: dt.date = Field(index=True)
    venue: str = Field(max_length=200)
    city: str = Field(max_length=120)
    country: str = Field(max_length=2, index=True)
    status: str = Field(max_length=20, index=True)
    announced_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class BoutRow(ScheduleTable, table=True):
    __tablename__ = "bouts"

    bout_id: str = Field(primary_key=True, max_length=36)
    card_id: str = Field(index=True, max_length=36, foreign_key="event_cards.card_id")
    card_date: dt.date = Field(index=True)
    red_fighter_id: str = Field(index=True, max_length=36)
    blue_fighter_id: str = Field(index=True, max_length=36)
    weight_class: str = Field(max_length=40, index=True)
    title_bout: bool
    main_event: bool
    order_on_card: int
    scheduled_rounds: int
    status: str = Field(max_length=20, index=True)
    scheduled_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class FighterReplicaRow(ScheduleTable, table=True):
    """Roster's fighters as schedule last heard of them (built from ``roster.fighters.v1``)."""

    __tablename__ = "fighter_replica"

    fighter_id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    weight_class: str = Field(max_length=40)
    status: str = Field(max_length=20)
    version: str = Field(max_length=40, description="roster's updated_at of the state we hold")


PLATFORM_TABLES = define_platform_tables(ScheduleTable.metadata)
