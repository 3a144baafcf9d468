"""Roster's commands. They stage changes and events in the unit of work; the caller commits."""

from __future__ import annotations

from datetime import datetime

from roster.domain.exceptions import FighterNotFound
from roster.domain.model import Fighter, FighterProfile
from roster.service.unit_of_work import RosterUnitOfWork


def register_fighter(profile: FighterProfile, uow: RosterUnitOfWork, now: datetime) -> Fighter:
    """Register a new active fighter."""
    fighter, event = Fighter.register(profile, now)
    uow.fighters.add(fighter)
    uow.record(event)
    return fighter


def update_fighter(fighter_id: str, profile: FighterProfile, uow: RosterUnitOfWork, now: datetime) -> Fighter:
    """Replace a fighter's profile; announces the change only when something changed."""
    updated, event = _existing(fighter_id, uow).update(profile, now)
    if event is not None:
        uow.fighters.save(updated)
        uow.record(event)
    return updated


def retire_fighter(fighter_id: str, uow: RosterUnitOfWork, now: datetime) -> Fighter:
    """Retire a fighter; schedule will refuse to book them from then on."""
    retired, event = _existing(fighter_id, uow).retire(now)
    uow.fighters.save(retired)
    uow.record(event)
    return retired


def _existing(fighter_id: str, uow: RosterUnitOfWork) -> Fighter:
    fighter = uow.fighters.get(fighter_id)
    if fighter is None:
        raise FighterNotFound(fighter_id)
    return fighter
