"""Fighters and the rules of registering, updating and retiring them.

The one definition of a fighter's fields: the table (``adapters/tables.py``) and the HTTP bodies (``api/schemas.py``)
inherit these models, so each field and each of its rules is written here once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from roster.domain.events import FighterRegistered, FighterRetired, FighterUpdated
from roster.domain.exceptions import FighterAlreadyRetired, InvalidFighter

MINIMUM_AGE_YEARS = 18


class WeightClass(StrEnum):
    """Weight classes of the promotion; the value is the name used on the wire."""

    FLYWEIGHT = "flyweight"
    BANTAMWEIGHT = "bantamweight"
    FEATHERWEIGHT = "featherweight"
    LIGHTWEIGHT = "lightweight"
    WELTERWEIGHT = "welterweight"
    MIDDLEWEIGHT = "middleweight"
    LIGHT_HEAVYWEIGHT = "light_heavyweight"
    HEAVYWEIGHT = "heavyweight"
    WOMENS_STRAWWEIGHT = "womens_strawweight"
    WOMENS_FLYWEIGHT = "womens_flyweight"
    WOMENS_BANTAMWEIGHT = "womens_bantamweight"
    WOMENS_FEATHERWEIGHT = "womens_featherweight"

    @property
    def limit_lb(self) -> int:
        """The upper weight limit in pounds."""
        return WEIGHT_LIMITS_LB[self]


WEIGHT_LIMITS_LB: dict[WeightClass, int] = {
    WeightClass.FLYWEIGHT: 125,
    WeightClass.BANTAMWEIGHT: 135,
    WeightClass.FEATHERWEIGHT: 145,
    WeightClass.LIGHTWEIGHT: 155,
    WeightClass.WELTERWEIGHT: 170,
    WeightClass.MIDDLEWEIGHT: 185,
    WeightClass.LIGHT_HEAVYWEIGHT: 205,
    WeightClass.HEAVYWEIGHT: 265,
    WeightClass.WOMENS_STRAWWEIGHT: 115,
    WeightClass.WOMENS_FLYWEIGHT: 125,
    WeightClass.WOMENS_BANTAMWEIGHT: 135,
    WeightClass.WOMENS_FEATHERWEIGHT: 145,
}


class Stance(StrEnum):
    ORTHODOX = "orthodox"
    SOUTHPAW = "southpaw"
    SWITCH = "switch"


class FighterStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    SUSPENDED = "suspended"


class FighterProfile(BaseModel):
    """What a promoter states about a fighter when registering or updating them."""

    model_config = ConfigDict(frozen=True, json_schema_extra={
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

    def check(self, today: date) -> None:
        """The rules a field's type and bounds cannot say; raises :class:`InvalidFighter` naming the field."""
        if not self.name.strip():
            raise InvalidFighter("name must not be blank", field="name")
        born = self.date_of_birth
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < MINIMUM_AGE_YEARS:
            raise InvalidFighter(
                f"fighter must be at least {MINIMUM_AGE_YEARS} years old (is {age})", field="date_of_birth"
            )
        if not (len(self.nationality) == 2 and self.nationality.isalpha() and self.nationality.isupper()):
            raise InvalidFighter("nationality must be an ISO 3166-1 alpha-2 code such as 'BR'", field="nationality")

    def profile(self) -> FighterProfile:
        """Just the profile (a request body or a fighter is a profile with more)."""
        return FighterProfile.model_validate(self.model_dump(include=set(FighterProfile.model_fields)))


# Personal data: never published on the topic (the contract lists it as `withheldFields` of its kafka server).
PERSONAL_DATA = frozenset({"date_of_birth"})


class Fighter(FighterProfile):
    """A fighter on the promotion's roster."""

    model_config = ConfigDict(json_schema_extra=None)

    fighter_id: str
    status: FighterStatus
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def register(cls, profile: FighterProfile, now: datetime, fighter_id: str | None = None) -> tuple[Fighter, FighterRegistered]:
        """A newly registered, active fighter and the event announcing it."""
        profile.check(now.date())
        fighter = cls(
            **profile.profile().model_dump(),
            fighter_id=fighter_id or str(uuid.uuid4()),
            status=FighterStatus.ACTIVE,
            registered_at=now,
            updated_at=now,
        )
        return fighter, FighterRegistered(fighter)

    def update(self, profile: FighterProfile, now: datetime) -> tuple[Fighter, FighterUpdated | None]:
        """The fighter with a new profile; no event when nothing changed."""
        if self.status is FighterStatus.RETIRED:
            raise FighterAlreadyRetired(self.fighter_id)
        profile.check(now.date())
        new = profile.profile()
        changed = tuple(name for name in FighterProfile.model_fields if getattr(new, name) != getattr(self, name))
        if not changed:
            return self, None
        updated = self.model_copy(update={**new.model_dump(), "updated_at": now})
        return updated, FighterUpdated(updated, changed)

    def retire(self, now: datetime) -> tuple[Fighter, FighterRetired]:
        """The retired fighter; a retired fighter cannot be booked again."""
        if self.status is FighterStatus.RETIRED:
            raise FighterAlreadyRetired(self.fighter_id)
        retired = self.model_copy(update={"status": FighterStatus.RETIRED, "updated_at": now})
        return retired, FighterRetired(retired)
