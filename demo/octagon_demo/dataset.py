"""The demo data set: plain, immutable values with no knowledge of HTTP or the services.

Fighters, cards and bouts refer to each other by their position in the data set (``index``); the services assign
the real ids when the loader sends them. ``key`` values are stable names for the idempotency keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DemoFighter:
    """A fighter as roster registers them, plus what only the generator knows (skill, career)."""

    index: int
    name: str
    nickname: str | None
    date_of_birth: date
    nationality: str
    weight_class: str
    stance: str
    height_cm: int
    reach_cm: int
    skill: float
    """Hidden ability: the better-rated fighter wins more often."""
    debut: date
    retired_after: date | None
    """The card date of the fighter's last bout when they retired after it (already in the past), else None."""

    def registration(self) -> dict[str, object]:
        """The body of ``POST /fighters``."""
        return {
            "name": self.name,
            "nickname": self.nickname,
            "date_of_birth": self.date_of_birth.isoformat(),
            "nationality": self.nationality,
            "weight_class": self.weight_class,
            "stance": self.stance,
            "height_cm": self.height_cm,
            "reach_cm": self.reach_cm,
        }


@dataclass(frozen=True)
class DemoCard:
    """An event card; its bouts are the data set's bouts with this ``index`` as ``card_index``."""

    index: int
    name: str
    date: date
    venue: str
    city: str
    country: str

    def announcement(self) -> dict[str, object]:
        """The body of ``POST /cards``."""
        return {
            "name": self.name,
            "date": self.date.isoformat(),
            "venue": self.venue,
            "city": self.city,
            "country": self.country,
        }


@dataclass(frozen=True)
class JudgeScore:
    """One judge's 10-point-must totals over the whole bout."""

    judge: str
    red: int
    blue: int


@dataclass(frozen=True)
class BoutOutcome:
    """How a bout ended, as results records it."""

    outcome: str
    """``win``, ``draw`` or ``no_contest``."""
    winner: int | None
    """Fighter index of the winner (``win`` only)."""
    method: str
    round: int
    time: str
    """``m:ss`` into the round."""
    judges_scores: tuple[JudgeScore, ...] | None


@dataclass(frozen=True)
class DemoBout:
    """Two fighters booked on a card; ``outcome`` is None while the card lies in the future."""

    index: int
    card_index: int
    order_on_card: int
    red: int
    blue: int
    weight_class: str
    title_bout: bool
    main_event: bool
    scheduled_rounds: int
    outcome: BoutOutcome | None


@dataclass(frozen=True)
class DemoDataSet:
    """Everything the loader sends, in the order it may be sent."""

    seed: int
    scale: float
    today: date
    fighters: tuple[DemoFighter, ...]
    cards: tuple[DemoCard, ...]
    bouts: tuple[DemoBout, ...]
    """Sorted by card, then by order on the card."""

    def bouts_on(self, card_index: int) -> tuple[DemoBout, ...]:
        """The bouts of one card, opening bout first, main event last."""
        return tuple(bout for bout in self.bouts if bout.card_index == card_index)

    @property
    def retired(self) -> tuple[DemoFighter, ...]:
        """Fighters who have retired by ``today``."""
        return tuple(fighter for fighter in self.fighters if fighter.retired_after is not None)
