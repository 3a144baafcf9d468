"""Fighters in roster's SQL store."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mesh_platform.wire import as_utc
from roster.adapters.tables import FighterRow
from roster.domain.model import Fighter, FighterProfile, FighterStatus, Stance, WeightClass


class SqlFighterRepository:
    """Loads and stages fighters in a session; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> Fighter | None:
        row = self.session.get(FighterRow, fighter_id)
        return to_fighter(row) if row is not None else None

    def add(self, fighter: Fighter) -> None:
        self.session.add(FighterRow(**fighter_columns(fighter)))

    def save(self, fighter: Fighter) -> None:
        row = self.session.get(FighterRow, fighter.fighter_id)
        for name, value in fighter_columns(fighter).items():
            setattr(row, name, value)


def fighter_columns(fighter: Fighter) -> dict:
    profile = fighter.profile
    return {
        "fighter_id": fighter.fighter_id,
        "name": profile.name,
        "nickname": profile.nickname,
        "date_of_birth": profile.date_of_birth,
        "nationality": profile.nationality,
        "weight_class": profile.weight_class.value,
        "stance": profile.stance.value,
        "height_cm": profile.height_cm,
        "reach_cm": profile.reach_cm,
        "status": fighter.status.value,
        "registered_at": fighter.registered_at,
        "updated_at": fighter.updated_at,
    }


def to_fighter(row: FighterRow) -> Fighter:
    return Fighter(
        fighter_id=row.fighter_id,
        profile=FighterProfile(
            name=row.name,
            nickname=row.nickname,
            date_of_birth=row.date_of_birth,
            nationality=row.nationality,
            weight_class=WeightClass(row.weight_class),
            stance=Stance(row.stance),
            height_cm=row.height_cm,
            reach_cm=row.reach_cm,
        ),
        status=FighterStatus(row.status),
        registered_at=as_utc(row.registered_at),
        updated_at=as_utc(row.updated_at),
    )

