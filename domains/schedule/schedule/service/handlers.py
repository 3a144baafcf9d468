"""Schedule's commands. They stage changes and events in the unit of work; the caller commits."""

from __future__ import annotations

from datetime import datetime

from schedule.domain.exceptions import BoutNotFound, CardNotFound, UnknownFighter
from schedule.domain.model import Bout, BoutRequest, CardDetails, EventCard, FighterSnapshot
from schedule.service.unit_of_work import FighterDirectory, ScheduleUnitOfWork


def announce_card(details: CardDetails, uow: ScheduleUnitOfWork, now: datetime) -> EventCard:
    card, event = EventCard.announce(details, now)
    uow.cards.add(card)
    uow.record(event)
    return card


def cancel_card(card_id: str, uow: ScheduleUnitOfWork) -> EventCard:
    """Cancel a card and every bout still scheduled on it."""
    cancelled, event = _card(card_id, uow).cancel()
    uow.cards.save(cancelled)
    uow.record(event)
    for bout in uow.bouts.on_card(card_id):
        if bout.is_scheduled:
            cancelled_bout, bout_event = bout.cancel()
            uow.bouts.save(cancelled_bout)
            uow.record(bout_event)
    return cancelled


def schedule_bout(
    card_id: str, request: BoutRequest, uow: ScheduleUnitOfWork, directory: FighterDirectory, now: datetime
) -> Bout:
    card = _card(card_id, uow)
    red, blue = (_fighter(fighter_id, corner, uow, directory) for corner, fighter_id in request.corners())
    bout, event = Bout.book(card, request, red, blue, uow.bouts.on_card(card_id), now)
    uow.bouts.add(bout)
    uow.record(event)
    return bout


def cancel_bout(bout_id: str, uow: ScheduleUnitOfWork) -> Bout:
    bout = uow.bouts.get(bout_id)
    if bout is None:
        raise BoutNotFound(bout_id)
    cancelled, event = bout.cancel()
    uow.bouts.save(cancelled)
    uow.record(event)
    return cancelled


def fighter_published(fighter: FighterSnapshot, version: datetime, uow: ScheduleUnitOfWork) -> None:
    """Roster published a fighter's current state: keep the replica up to date."""
    uow.fighters.upsert(fighter, version)


def result_recorded(bout_id: str, uow: ScheduleUnitOfWork) -> None:
    """Results recorded an outcome: the bout is completed."""
    bout = uow.bouts.get(bout_id)
    if bout is not None and bout.is_scheduled:
        completed, event = bout.complete()
        uow.bouts.save(completed)
        uow.record(event)


def _card(card_id: str, uow: ScheduleUnitOfWork) -> EventCard:
    card = uow.cards.get(card_id)
    if card is None:
        raise CardNotFound(card_id)
    return card


def _fighter(fighter_id: str, field: str, uow: ScheduleUnitOfWork, directory: FighterDirectory) -> FighterSnapshot:
    fighter = uow.fighters.get(fighter_id)
    if fighter is None:
        # The replica lags roster by an event or two; roster's HTTP port is the authority meanwhile.
        found = directory.find(fighter_id)
        if found is None:
            raise UnknownFighter(fighter_id, field)
        fighter, version = found
        uow.fighters.upsert(fighter, version)
    return fighter
