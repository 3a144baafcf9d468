from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from roster.domain.events import FighterRegistered, FighterRetired, FighterUpdated
from roster.domain.exceptions import FighterAlreadyRetired, FighterNotFound, InvalidFighter
from roster.domain.model import Fighter, FighterProfile, FighterStatus, Stance, WeightClass
from roster.service import handlers

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class FakeFighterRepository:
    def __init__(self) -> None:
        self.fighters: dict[str, Fighter] = {}

    def get(self, fighter_id):
        return self.fighters.get(fighter_id)

    def add(self, fighter):
        self.fighters[fighter.fighter_id] = fighter

    def save(self, fighter):
        self.fighters[fighter.fighter_id] = fighter


class FakeRosterUnitOfWork:
    def __init__(self) -> None:
        self.fighters = FakeFighterRepository()
        self.events: list = []

    def record(self, event):
        self.events.append(event)


def profile(**changes) -> FighterProfile:
    values = dict(
        name="Amanda Silva", nickname="The Lioness", date_of_birth=date(1994, 3, 2), nationality="BR",
        weight_class=WeightClass.WOMENS_BANTAMWEIGHT, stance=Stance.ORTHODOX, height_cm=170, reach_cm=175,
    )
    values.update(changes)
    return FighterProfile(**values)


def test_registered_fighter_is_active_and_announced():
    uow = FakeRosterUnitOfWork()
    fighter = handlers.register_fighter(profile(), uow, NOW)
    assert fighter.status is FighterStatus.ACTIVE
    assert uow.fighters.get(fighter.fighter_id) == fighter
    assert uow.events == [FighterRegistered(fighter)]


def test_fighter_under_eighteen_is_refused_naming_date_of_birth():
    with pytest.raises(InvalidFighter) as refused:
        handlers.register_fighter(profile(date_of_birth=date(2009, 1, 1)), FakeRosterUnitOfWork(), NOW)
    assert refused.value.field == "date_of_birth"


@pytest.mark.parametrize("nationality", ["br", "B1"])
def test_nationality_must_be_an_iso_alpha2_code(nationality):
    with pytest.raises(InvalidFighter, match="alpha-2"):
        handlers.register_fighter(profile(nationality=nationality), FakeRosterUnitOfWork(), NOW)


def test_update_announces_which_fields_changed():
    uow = FakeRosterUnitOfWork()
    fighter = handlers.register_fighter(profile(), uow, NOW)
    updated = handlers.update_fighter(fighter.fighter_id, profile(weight_class=WeightClass.WOMENS_FEATHERWEIGHT), uow, NOW)
    assert updated.weight_class is WeightClass.WOMENS_FEATHERWEIGHT
    assert uow.events[-1] == FighterUpdated(updated, ("weight_class",))


def test_update_without_changes_announces_nothing():
    uow = FakeRosterUnitOfWork()
    fighter = handlers.register_fighter(profile(), uow, NOW)
    handlers.update_fighter(fighter.fighter_id, profile(), uow, NOW)
    assert len(uow.events) == 1


def test_retired_fighter_cannot_be_retired_again_or_updated():
    uow = FakeRosterUnitOfWork()
    fighter = handlers.register_fighter(profile(), uow, NOW)
    retired = handlers.retire_fighter(fighter.fighter_id, uow, NOW)
    assert retired.status is FighterStatus.RETIRED
    assert uow.events[-1] == FighterRetired(retired)
    with pytest.raises(FighterAlreadyRetired):
        handlers.retire_fighter(fighter.fighter_id, uow, NOW)
    with pytest.raises(FighterAlreadyRetired):
        handlers.update_fighter(fighter.fighter_id, profile(nickname="Back"), uow, NOW)


def test_unknown_fighter_is_not_found():
    with pytest.raises(FighterNotFound):
        handlers.retire_fighter("nobody", FakeRosterUnitOfWork(), NOW)


def test_weight_class_limits_follow_the_unified_rules():
    assert WeightClass.LIGHTWEIGHT.limit_lb == 155
    assert WeightClass.HEAVYWEIGHT.limit_lb == 265
    assert WeightClass.WOMENS_STRAWWEIGHT.limit_lb == 115


def test_timestamps_come_from_the_injected_clock():
    uow = FakeRosterUnitOfWork()
    fighter = handlers.register_fighter(profile(), uow, NOW)
    later = datetime(2027, 1, 2, 3, 4, tzinfo=UTC)
    retired = handlers.retire_fighter(fighter.fighter_id, uow, later)
    assert (fighter.registered_at, fighter.updated_at) == (NOW, NOW)
    assert (retired.registered_at, retired.updated_at) == (NOW, later)


def test_age_rule_uses_the_clock_date():
    turns_eighteen = profile(date_of_birth=date(2008, 11, 25))
    with pytest.raises(InvalidFighter):
        handlers.register_fighter(turns_eighteen, FakeRosterUnitOfWork(), NOW)
    fighter = handlers.register_fighter(turns_eighteen, FakeRosterUnitOfWork(), datetime(2026, 11, 25, tzinfo=UTC))
    assert fighter.date_of_birth == date(2008, 11, 25)


def test_bounds_of_a_field_are_its_definition():
    with pytest.raises(ValidationError, match="reach_cm"):
        profile(reach_cm=241)
    with pytest.raises(ValidationError, match="nationality"):
        profile(nationality="BRA")
