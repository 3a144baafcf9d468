"""What schedule consumes and how: roster's fighters (a replica for booking checks) and results' outcomes.

The event classes are generated from roster's and results' contracts (``schedule.adapters.consumed_events``); which
product majors schedule reads is declared once, in ``contracts/schedule/subscriptions.yaml``.
"""

from __future__ import annotations

from mesh_platform.domain_api import SubscriptionSpec
from schedule.adapters.consumed_events import (
    FighterRegisteredV1,
    FighterRetiredV1,
    FighterUpdatedV1,
    ResultRecordedV1,
)
from schedule.adapters.unit_of_work import SqlScheduleUnitOfWork
from schedule.domain.model import FighterSnapshot
from schedule.service import handlers

FighterEvent = FighterRegisteredV1 | FighterUpdatedV1 | FighterRetiredV1


def on_fighter(uow: SqlScheduleUnitOfWork, fighter: FighterEvent) -> None:
    snapshot = FighterSnapshot(fighter.fighter_id, fighter.name, fighter.weight_class, fighter.status)
    # The replica's version is roster's updated_at of the state held (a moment, as in every domain's replica).
    handlers.fighter_published(snapshot, fighter.updated_at, uow)


def on_result(uow: SqlScheduleUnitOfWork, result: ResultRecordedV1) -> None:
    handlers.result_recorded(result.bout_id, uow)


SUBSCRIPTION: SubscriptionSpec[SqlScheduleUnitOfWork] = SubscriptionSpec(
    handlers={
        FighterRegisteredV1: on_fighter,
        FighterUpdatedV1: on_fighter,
        FighterRetiredV1: on_fighter,
        ResultRecordedV1: on_result,
    },
)
