"""Fighters and the rules of registering, updating and retiring them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum

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


@dataclass(frozen=True)
class FighterProfile:
    """What a promoter states about a fighter when registering or updating them."""

    name: str
    nickname: str | None
    date_of_birth: date
    nationality: str
    weight_class: WeightClass
    stance: Stance
    height_cm: int
    reach_cm: int


@dataclass(frozen=True)
class Fighter:
    """A fighter on the promotion's roster."""

    fighter_id: str
    profile: FighterProfile
    status: FighterStatus
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def register(cls, profile: FighterProfile, today: date, fighter_id: str | None = None) -> tuple[Fighter, FighterRegistered]:
        """A newly registered, active fighter and the event announcing it."""
        _check_profile(profile, today)
        now = datetime.now(UTC)
        fighter = cls(
            fighter_id=fighter_id or str(uuid.uuid4()),
            profile=profile,
            status=FighterStatus.ACTIVE,
            registered_at=now,
            updated_at=now,
        )
        return fighter, FighterRegistered(fighter)

    def update(self, profile: FighterProfile, today: date) -> tuple[Fighter, FighterUpdated | None]:
        """The fighter with a new profile; no event when nothing changed."""
        if self.status is FighterStatus.RETIRED:
            raise FighterAlreadyRetired(self.fighter_id)
        _check_profile(profile, today)
        if profile == self.profile:
            return self, None
        changed = tuple(
            name for name in FighterProfile.__dataclass_fields__ if getattr(profile, name) != getattr(self.profile, name)
        )
        updated = replace(self, profile=profile, updated_at=datetime.now(UTC))
        return updated, FighterUpdated(updated, changed)

    def retire(self) -> tuple[Fighter, FighterRetired]:
        """The retired fighter; a retired fighter cannot be booked again."""
        if self.status is FighterStatus.RETIRED:
            raise FighterAlreadyRetired(self.fighter_id)
        retired = replace(self, status=FighterStatus.RETIRED, updated_at=datetime.now(UTC))
        return retired, FighterRetired(retired)


def _check_profile(profile: FighterProfile, today: date) -> None:
    if not profile.name.strip():
        raise InvalidFighter("name must not be blank", field="name")
    age = today.year - profile.date_of_birth.year - (
        (today.month, today.day) < (profile.date_of_birth.month, profile.date_of_birth.day)
    )
    if age < MINIMUM_AGE_YEARS:
        raise InvalidFighter(f"fighter must be at least {MINIMUM_AGE_YEARS} years old (is {age})", field="date_of_birth")
    if not (len(profile.nationality) == 2 and profile.nationality.isalpha() and profile.nationality.isupper()):
        raise InvalidFighter("nationality must be an ISO 3166-1 alpha-2 code such as 'BR'", field="nationality")
    if not 140 <= profile.height_cm <= 230:
        raise InvalidFighter("height_cm must be between 140 and 230", field="height_cm")
    if not 140 <= profile.reach_cm <= 240:
        raise InvalidFighter("reach_cm must be between 140 and 240", field="reach_cm")
