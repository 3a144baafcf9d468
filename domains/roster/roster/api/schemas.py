"""Request and response bodies of roster's command endpoints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from roster.domain.model import Fighter, FighterProfile, FighterStatus, Stance, WeightClass


class FighterCreate(BaseModel):
    """A fighter to register."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"name": "Amanda Silva", "nickname": "The Lioness", "date_of_birth": "1994-03-02",
                      "nationality": "BR", "weight_class": "womens_bantamweight", "stance": "orthodox",
                      "height_cm": 170, "reach_cm": 175}]
    })

    name: str = Field(min_length=1, max_length=120)
    nickname: str | None = Field(default=None, min_length=1, max_length=60)
    date_of_birth: date
    nationality: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, upper case")
    weight_class: WeightClass
    stance: Stance
    height_cm: int = Field(ge=140, le=230)
    reach_cm: int = Field(ge=140, le=240)

    def to_profile(self) -> FighterProfile:
        return FighterProfile(**self.model_dump())


class FighterUpdate(FighterCreate):
    """A fighter's complete new profile (PUT semantics)."""


class FighterPublic(BaseModel):
    """A fighter as roster's command endpoints return it."""

    fighter_id: str
    name: str
    nickname: str | None
    date_of_birth: date | None = Field(
        description="Personal data: null unless the caller's token holds pii:roster.fighters"
    )
    nationality: str
    weight_class: WeightClass
    stance: Stance
    height_cm: int
    reach_cm: int
    status: FighterStatus
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, fighter: Fighter) -> FighterPublic:
        return cls(
            fighter_id=fighter.fighter_id,
            status=fighter.status,
            registered_at=fighter.registered_at,
            updated_at=fighter.updated_at,
            **fighter.profile.__dict__,
        )
