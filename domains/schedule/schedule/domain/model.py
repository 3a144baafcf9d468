"""Event cards, bouts and the booking rules.

The one definition of a card's and a bout's fields: the tables (``adapters/tables.py``) and the HTTP bodies
(``api/schemas.py``) inherit these models, so each field and each of its rules is written here once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

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


class CardDetails(BaseModel):
    """What a promoter states when announcing a card."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    date: dt.date
    venue: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=120)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, upper case")

    def check(self) -> None:
        """The rules a field's type and bounds cannot say; raises :class:`BookingRefused` naming the field."""
        if not self.name.strip():
            raise BookingRefused("name must not be blank", field="name")
        if not (len(self.country) == 2 and self.country.isalpha() and self.country.isupper()):
            raise BookingRefused("country must be an ISO 3166-1 alpha-2 code such as 'US'", field="country")


class EventCard(CardDetails):
    """A night of fights at one venue."""

    card_id: str
    status: CardStatus
    announced_at: dt.datetime

    @classmethod
    def announce(cls, details: CardDetails, now: dt.datetime) -> tuple[EventCard, CardAnnounced]:
        details.check()
        stated = details.model_dump(include=set(CardDetails.model_fields))
        card = cls(
            **{**stated, "name": details.name.strip()},
            card_id=str(uuid.uuid4()),
            status=CardStatus.ANNOUNCED,
            announced_at=now,
        )
        return card, CardAnnounced(card)

    def cancel(self) -> tuple[EventCard, CardCancelled]:
        if self.status is not CardStatus.ANNOUNCED:
            raise CardClosed(f"card {self.card_id!r} is {self.status.value}", field="card_id")
        cancelled = self.model_copy(update={"status": CardStatus.CANCELLED})
        return cancelled, CardCancelled(cancelled)


@dataclass(frozen=True)
class FighterSnapshot:
    """What schedule knows of a roster fighter (a replica built from roster's events)."""

    fighter_id: str
    name: str
    weight_class: str
    status: str


class BoutRequest(BaseModel):
    """A bout a matchmaker wants on a card."""

    model_config = ConfigDict(frozen=True)

    red_fighter_id: str = Field(min_length=1, max_length=36)
    blue_fighter_id: str = Field(min_length=1, max_length=36)
    weight_class: str = Field(min_length=1, max_length=40)
    title_bout: bool = False
    main_event: bool = False
    order_on_card: int = Field(ge=1, le=30, description="1 opens the card; the main event closes it")

    def corners(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """(field, fighter id) of the red and the blue corner; refusals about a fighter name the corner's field."""
        return ("red_fighter_id", self.red_fighter_id), ("blue_fighter_id", self.blue_fighter_id)


class Bout(BoutRequest):
    """Two fighters booked against each other on a card."""

    bout_id: str
    card_id: str
    card_date: dt.date
    scheduled_rounds: int
    status: BoutStatus
    scheduled_at: dt.datetime

    @property
    def is_scheduled(self) -> bool:
        return self.status is BoutStatus.SCHEDULED

    @classmethod
    def book(
        cls,
        card: EventCard,
        request: BoutRequest,
        red: FighterSnapshot,
        blue: FighterSnapshot,
        bouts_on_card: Sequence[Bout],
        now: dt.datetime,
    ) -> tuple[Bout, BoutScheduled]:
        """Book ``request`` on ``card`` if every rule allows it.

        Rules: the card takes bookings; the fighters are two distinct active fighters of the bout's weight class and
        neither is already booked on the card; the order on the card is free; one main event per card, and it closes
        the card (the highest order). Title bouts and main events are scheduled for five rounds, others for three.
        """
        if card.status is not CardStatus.ANNOUNCED:
            raise CardClosed(f"card {card.card_id!r} is {card.status.value}; it takes no bookings", field="card_id")
        (red_field, _), (blue_field, _) = request.corners()
        if red.fighter_id == blue.fighter_id:
            raise BookingRefused("a fighter cannot fight themself: red and blue are the same", field=blue_field)
        for corner, fighter in ((red_field, red), (blue_field, blue)):
            if fighter.status != "active":
                raise BookingRefused(
                    f"fighter {fighter.name!r} is {fighter.status}; only active fighters can be booked", field=corner
                )
            if fighter.weight_class != request.weight_class:
                raise BookingRefused(
                    f"fighter {fighter.name!r} fights at {fighter.weight_class}, not {request.weight_class}",
                    field=corner,
                )
        live = [bout for bout in bouts_on_card if bout.status is not BoutStatus.CANCELLED]
        for bout in live:
            booked = {bout.red_fighter_id, bout.blue_fighter_id}
            for corner, fighter in ((red_field, red), (blue_field, blue)):
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
                raise BookingRefused(
                    "the main event closes the card: its order must be the highest", field="order_on_card"
                )
        elif main is not None and request.order_on_card > main.order_on_card:
            raise BookingRefused("no bout can follow the main event", field="order_on_card")
        rounds = CHAMPIONSHIP_ROUNDS if request.title_bout or request.main_event else STANDARD_ROUNDS
        bout = cls(
            **request.model_dump(include=set(BoutRequest.model_fields)),
            bout_id=str(uuid.uuid4()),
            card_id=card.card_id,
            card_date=card.date,
            scheduled_rounds=rounds,
            status=BoutStatus.SCHEDULED,
            scheduled_at=now,
        )
        return bout, BoutScheduled(bout)

    def cancel(self) -> tuple[Bout, BoutCancelled]:
        if self.status is not BoutStatus.SCHEDULED:
            raise BookingClash(f"bout {self.bout_id!r} is {self.status.value}", field="bout_id")
        cancelled = self.model_copy(update={"status": BoutStatus.CANCELLED})
        return cancelled, BoutCancelled(cancelled)

    def complete(self) -> tuple[Bout, BoutCompleted]:
        completed = self.model_copy(update={"status": BoutStatus.COMPLETED})
        return completed, BoutCompleted(completed)
