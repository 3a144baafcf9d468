"""Event cards, bouts and the booking rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum

from schedule.domain.events import BoutCancelled, BoutCompleted, BoutScheduled, CardAnnounced, CardCancelled
from schedule.domain.exceptions import BookingClash, BookingRefused, CardClosed

STANDARD_ROUNDS = 3
CHAMPIONSHIP_ROUNDS = 5


class CardStatus(StrEnum):
    ANNOUNCED = "announced"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class BoutStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Venue:
    venue: str
    city: str
    country: str


@dataclass(frozen=True)
class EventCard:
    """A night of fights at one venue."""

    card_id: str
    name: str
    date: date
    venue: Venue
    status: CardStatus
    announced_at: datetime

    @classmethod
    def announce(cls, name: str, on: date, venue: Venue) -> tuple[EventCard, CardAnnounced]:
        if not name.strip():
            raise BookingRefused("name must not be blank", field="name")
        if not (len(venue.country) == 2 and venue.country.isalpha() and venue.country.isupper()):
            raise BookingRefused("country must be an ISO 3166-1 alpha-2 code such as 'US'", field="country")
        card = cls(str(uuid.uuid4()), name.strip(), on, venue, CardStatus.ANNOUNCED, datetime.now(UTC))
        return card, CardAnnounced(card)

    def cancel(self) -> tuple[EventCard, CardCancelled]:
        if self.status is not CardStatus.ANNOUNCED:
            raise CardClosed(f"card {self.card_id!r} is {self.status.value}", field="card_id")
        cancelled = replace(self, status=CardStatus.CANCELLED)
        return cancelled, CardCancelled(cancelled)


@dataclass(frozen=True)
class FighterSnapshot:
    """What schedule knows of a roster fighter (a replica built from roster's events)."""

    fighter_id: str
    name: str
    weight_class: str
    status: str


@dataclass(frozen=True)
class BoutRequest:
    """A bout a matchmaker wants on a card."""

    red_fighter_id: str
    blue_fighter_id: str
    weight_class: str
    title_bout: bool
    main_event: bool
    order_on_card: int


@dataclass(frozen=True)
class Bout:
    """Two fighters booked against each other on a card."""

    bout_id: str
    card_id: str
    card_date: date
    red_fighter_id: str
    blue_fighter_id: str
    weight_class: str
    title_bout: bool
    main_event: bool
    order_on_card: int
    scheduled_rounds: int
    status: BoutStatus
    scheduled_at: datetime

    def cancel(self) -> tuple[Bout, BoutCancelled]:
        if self.status is not BoutStatus.SCHEDULED:
            raise BookingClash(f"bout {self.bout_id!r} is {self.status.value}", field="bout_id")
        cancelled = replace(self, status=BoutStatus.CANCELLED)
        return cancelled, BoutCancelled(cancelled)

    def complete(self) -> tuple[Bout, BoutCompleted]:
        completed = replace(self, status=BoutStatus.COMPLETED)
        return completed, BoutCompleted(completed)


def book_bout(
    card: EventCard,
    request: BoutRequest,
    red: FighterSnapshot,
    blue: FighterSnapshot,
    bouts_on_card: Sequence[Bout],
) -> tuple[Bout, BoutScheduled]:
    """Book ``request`` on ``card`` if every rule allows it.

    Rules: the card takes bookings; the fighters are two distinct active fighters of the bout's weight class and
    neither is already booked on the card; the order on the card is free; one main event per card, and it closes
    the card (the highest order). Title bouts and main events are scheduled for five rounds, others for three.
    """
    if card.status is not CardStatus.ANNOUNCED:
        raise CardClosed(f"card {card.card_id!r} is {card.status.value}; it takes no bookings", field="card_id")
    if red.fighter_id == blue.fighter_id:
        raise BookingRefused("a fighter cannot fight themself: red and blue are the same", field="blue_fighter_id")
    for corner, fighter in (("red_fighter_id", red), ("blue_fighter_id", blue)):
        if fighter.status != "active":
            raise BookingRefused(f"fighter {fighter.name!r} is {fighter.status}; only active fighters can be booked", field=corner)
        if fighter.weight_class != request.weight_class:
            raise BookingRefused(
                f"fighter {fighter.name!r} fights at {fighter.weight_class}, not {request.weight_class}", field=corner
            )
    live = [bout for bout in bouts_on_card if bout.status is not BoutStatus.CANCELLED]
    for bout in live:
        booked = {bout.red_fighter_id, bout.blue_fighter_id}
        for corner, fighter in (("red_fighter_id", red), ("blue_fighter_id", blue)):
            if fighter.fighter_id in booked:
                raise BookingClash(f"fighter {fighter.name!r} is already booked on this card", field=corner)
        if bout.order_on_card == request.order_on_card:
            raise BookingClash(f"order {request.order_on_card} on this card is taken", field="order_on_card")
    if request.order_on_card < 1:
        raise BookingRefused("order_on_card starts at 1 (the first bout)", field="order_on_card")
    main = next((bout for bout in live if bout.main_event), None)
    if request.main_event:
        if main is not None:
            raise BookingClash("the card already has a main event", field="main_event")
        if any(bout.order_on_card > request.order_on_card for bout in live):
            raise BookingRefused("the main event closes the card: its order must be the highest", field="order_on_card")
    elif main is not None and request.order_on_card > main.order_on_card:
        raise BookingRefused("no bout can follow the main event", field="order_on_card")
    rounds = CHAMPIONSHIP_ROUNDS if request.title_bout or request.main_event else STANDARD_ROUNDS
    bout = Bout(
        bout_id=str(uuid.uuid4()),
        card_id=card.card_id,
        card_date=card.date,
        red_fighter_id=red.fighter_id,
        blue_fighter_id=blue.fighter_id,
        weight_class=request.weight_class,
        title_bout=request.title_bout,
        main_event=request.main_event,
        order_on_card=request.order_on_card,
        scheduled_rounds=rounds,
        status=BoutStatus.SCHEDULED,
        scheduled_at=datetime.now(UTC),
    )
    return bout, BoutScheduled(bout)
