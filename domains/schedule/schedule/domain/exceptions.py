"""Why schedule refuses a command."""

from __future__ import annotations

from mesh_platform.domain_api import Conflict, NotFound, RuleViolated


class CardNotFound(NotFound):
    def __init__(self, card_id: str) -> None:
        super().__init__(f"no event card with id {card_id!r}", field="card_id")


class BoutNotFound(NotFound):
    def __init__(self, bout_id: str) -> None:
        super().__init__(f"no bout with id {bout_id!r}", field="bout_id")


class UnknownFighter(RuleViolated):
    """A fighter that roster has not published (yet)."""

    def __init__(self, fighter_id: str, field: str) -> None:
        super().__init__(f"no fighter with id {fighter_id!r} on the roster", field=field)


class BookingRefused(RuleViolated):
    """A bout that breaks a booking rule (weight class, status, same fighter twice...)."""


class CardClosed(Conflict):
    """The card is cancelled or completed; it takes no more bookings."""


class BookingClash(Conflict):
    """The bout clashes with another booking (double booking, order taken, second main event)."""
