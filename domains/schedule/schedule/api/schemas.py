"""Request and response bodies of schedule's command endpoints."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from schedule.domain.model import Bout, BoutRequest, BoutStatus, CardStatus, EventCard


class CardCreate(BaseModel):
    """An event card to announce."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    date: dt.date
    venue: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=120)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, upper case")


class CardPublic(BaseModel):
    card_id: str
    name: str
    date: dt.date
    venue: str
    city: str
    country: str
    status: CardStatus
    announced_at: dt.datetime

    @classmethod
    def of(cls, card: EventCard) -> CardPublic:
        return cls(
            card_id=card.card_id, name=card.name, date=card.date, venue=card.venue.venue, city=card.venue.city,
            country=card.venue.country, status=card.status, announced_at=card.announced_at,
        )


class BoutCreate(BaseModel):
    """A bout to book on a card."""

    model_config = ConfigDict(extra="forbid")

    red_fighter_id: str = Field(min_length=1, max_length=36)
    blue_fighter_id: str = Field(min_length=1, max_length=36)
    weight_class: str = Field(min_length=1, max_length=40)
    title_bout: bool = False
    main_event: bool = False
    order_on_card: int = Field(ge=1, le=30, description="1 opens the card; the main event closes it")

    def to_request(self) -> BoutRequest:
        return BoutRequest(**self.model_dump())


class BoutPublic(BaseModel):
    bout_id: str
    card_id: str
    card_date: dt.date
    red_fighter_id: str
    blue_fighter_id: str
    weight_class: str
    title_bout: bool
    main_event: bool
    order_on_card: int
    scheduled_rounds: int
    status: BoutStatus
    scheduled_at: dt.datetime

    @classmethod
    def of(cls, bout: Bout) -> BoutPublic:
        return cls(**bout.__dict__)
