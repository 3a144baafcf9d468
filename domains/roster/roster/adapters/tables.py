"""Roster's own store: the fighters table and the platform's tables, in roster's own metadata."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from mesh_platform.store.platform_tables import define_platform_tables


class RosterTable(SQLModel, registry=registry()):
    """Base of roster's tables (a metadata of its own: roster shares no tables with anyone)."""


class FighterRow(RosterTable, table=True):
    __tablename__ = "fighters"

    fighter_id: str = Field(primary_key=True, max_length=36)
    name: str = Field(index=True, max_length=200)
    nickname: str | None = Field(default=None, max_length=200)
    date_of_birth: date
    nationality: str = Field(max_length=2, index=True)
    weight_class: str = Field(max_length=40, index=True)
    stance: str = Field(max_length=20)
    height_cm: int
    reach_cm: int
    status: str = Field(max_length=20, index=True)
    registered_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


PLATFORM_TABLES = define_platform_tables(RosterTable.metadata)
