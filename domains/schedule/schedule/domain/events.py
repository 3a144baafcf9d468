"""What happened on the schedule, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schedule.domain.model import Bout, EventCard


@dataclass(frozen=True)
class CardAnnounced:
    card: EventCard


@dataclass(frozen=True)
class CardCancelled:
    card: EventCard


@dataclass(frozen=True)
class BoutScheduled:
    bout: Bout


@dataclass(frozen=True)
class BoutCancelled:
    bout: Bout


@dataclass(frozen=True)
class BoutCompleted:
    bout: Bout


ScheduleEvent = CardAnnounced | CardCancelled | BoutScheduled | BoutCancelled | BoutCompleted
