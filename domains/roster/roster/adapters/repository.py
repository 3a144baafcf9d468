"""Fighters in roster's SQL store."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from mesh_platform.domain_api import columns_of, entity_of
from roster.adapters.tables import FIGHTERS, FighterRow
from roster.domain.model import Fighter

# A new fighter is one prepared INSERT of its columns. Profiled (py-spy, roster's batch route): building an ORM
# instance of the SQLModel row (pydantic and SQLAlchemy instrumentation on every attribute) and flushing it took
# half of a registration; the statement's effect is the same and the row is read back like any other.
_INSERT = insert(FIGHTERS.table)


class SqlFighterRepository:
    """Loads and stages fighters in a session; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> Fighter | None:
        row = self.session.get(FighterRow, fighter_id)
        return entity_of(Fighter, row) if row is not None else None

    def add(self, fighter: Fighter) -> None:
        self.session.execute(_INSERT, columns_of(fighter))

    def save(self, fighter: Fighter) -> None:
        row = self.session.get(FighterRow, fighter.fighter_id)
        for name, value in columns_of(fighter).items():
            setattr(row, name, value)
