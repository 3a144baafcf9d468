"""Request and response bodies of schedule's command endpoints, derived from the domain's cards and bouts."""

from __future__ import annotations

from pydantic import ConfigDict

from schedule.domain.model import Bout, BoutRequest, CardDetails, EventCard


class CardCreate(CardDetails):
    """An event card to announce."""

    model_config = ConfigDict(extra="forbid")


class CardPublic(EventCard):
    """An event card as schedule's command endpoints return it."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class BoutCreate(BoutRequest):
    """A bout to book on a card."""

    model_config = ConfigDict(extra="forbid")


class BoutPublic(Bout):
    """A bout as schedule's command endpoints return it."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
