"""Roster's own store: the fighters table, derived from the domain's ``Fighter``, and the platform's tables.

The table inherits every field from :class:`roster.domain.model.Fighter` and names only what SQL needs beyond it
(key, indexes, column widths, enums stored as their wire value, time zones); ``tests/unit/test_tables.py`` checks that
the migrations build exactly this. The product's filters are declared beside the indexes that keep them cheap.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from mesh_platform.domain_api import StoredProduct, define_platform_tables
from roster.domain.model import PERSONAL_DATA, Fighter


class RosterTable(SQLModel, registry=registry()):
    """Base of roster's tables (a metadata of its own: roster shares no tables with anyone)."""


class FighterRow(RosterTable, Fighter, table=True):
    __tablename__ = "fighters"
    model_config = {"frozen": False}  # rows are loaded and changed by the ORM

    fighter_id: str = Field(primary_key=True, max_length=36)
    name: str = Field(index=True, max_length=200)
    nickname: str | None = Field(default=None, max_length=200)
    nationality: str = Field(max_length=2, index=True)
    weight_class: str = Field(max_length=40, index=True)  # type: ignore[assignment]  # the enum's wire value as text
    stance: str = Field(max_length=20)  # type: ignore[assignment]  # the enum's wire value as text
    status: str = Field(max_length=20, index=True)  # type: ignore[assignment]  # the enum's wire value as text
    registered_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


FIGHTERS = StoredProduct(
    "fighters", 1, entity="fighter", table=FighterRow.__table__,  # type: ignore[attr-defined]
    filters=("weight_class", "status", "nationality"),
    withheld_from_events=PERSONAL_DATA,
)

PLATFORM_TABLES = define_platform_tables(RosterTable.metadata)
