"""The events results consumes, typed from the producers' contracts. GENERATED: do not edit.

Regenerate after a producer's contract or contracts/results/subscriptions.yaml changes:
``python -m mesh_tools.codegen results <this file>`` (a test checks it is current).
"""

from datetime import date, datetime
from typing import ClassVar

from mesh_platform.domain_api import ConsumedData, ConsumedEvent

# schedule.bouts v1 (contract 1.1.1), topic schedule.bouts.v1


class ScheduleBoutsV1(ConsumedData):
    """Schema object `bouts` of schedule.bouts v1."""

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
    status: str
    scheduled_at: datetime


class BoutScheduledV1(ScheduleBoutsV1, ConsumedEvent):
    """`octagon.schedule.bout.scheduled.v1`: A bout was booked on a card."""

    EVENT_TYPE: ClassVar[str] = "octagon.schedule.bout.scheduled.v1"
    PRODUCT: ClassVar[str] = "schedule.bouts"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "schedule.bouts.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "bout_id": ("string", True),
        "card_id": ("string", True),
        "card_date": ("date", True),
        "red_fighter_id": ("string", True),
        "blue_fighter_id": ("string", True),
        "weight_class": ("string", True),
        "title_bout": ("boolean", True),
        "main_event": ("boolean", True),
        "order_on_card": ("integer", True),
        "scheduled_rounds": ("integer", True),
        "status": ("string", True),
        "scheduled_at": ("timestamp", True),
    }


class BoutCancelledV1(ScheduleBoutsV1, ConsumedEvent):
    """`octagon.schedule.bout.cancelled.v1`: A bout was called off; the record carries status cancelled."""

    EVENT_TYPE: ClassVar[str] = "octagon.schedule.bout.cancelled.v1"
    PRODUCT: ClassVar[str] = "schedule.bouts"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "schedule.bouts.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "bout_id": ("string", True),
        "card_id": ("string", True),
        "card_date": ("date", True),
        "red_fighter_id": ("string", True),
        "blue_fighter_id": ("string", True),
        "weight_class": ("string", True),
        "title_bout": ("boolean", True),
        "main_event": ("boolean", True),
        "order_on_card": ("integer", True),
        "scheduled_rounds": ("integer", True),
        "status": ("string", True),
        "scheduled_at": ("timestamp", True),
    }


class BoutCompletedV1(ScheduleBoutsV1, ConsumedEvent):
    """`octagon.schedule.bout.completed.v1`: Results recorded the bout's outcome; the record carries status
    completed.
    """

    EVENT_TYPE: ClassVar[str] = "octagon.schedule.bout.completed.v1"
    PRODUCT: ClassVar[str] = "schedule.bouts"
    MAJOR: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "schedule.bouts.v1"
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {
        "bout_id": ("string", True),
        "card_id": ("string", True),
        "card_date": ("date", True),
        "red_fighter_id": ("string", True),
        "blue_fighter_id": ("string", True),
        "weight_class": ("string", True),
        "title_bout": ("boolean", True),
        "main_event": ("boolean", True),
        "order_on_card": ("integer", True),
        "scheduled_rounds": ("integer", True),
        "status": ("string", True),
        "scheduled_at": ("timestamp", True),
    }
