"""What results consumes and how: schedule's bouts, kept as a replica so a result is recorded only for a real bout.

The event classes are generated from schedule's contract (``results.adapters.consumed_events``); which product
majors results reads is declared once, in ``contracts/results/subscriptions.yaml``.
"""

from __future__ import annotations

from mesh_platform.domain_api import SubscriptionSpec
from results.adapters.consumed_events import BoutCancelledV1, BoutCompletedV1, BoutScheduledV1
from results.adapters.schedule_directory import bout_snapshot
from results.adapters.unit_of_work import SqlResultsUnitOfWork
from results.service import handlers

BoutEvent = BoutScheduledV1 | BoutCancelledV1 | BoutCompletedV1


def on_bout(uow: SqlResultsUnitOfWork, bout: BoutEvent) -> None:
    # The event time orders the states of one bout: a late, older event never overwrites a newer state.
    handlers.bout_published(bout_snapshot(bout), bout.envelope.time, uow)


SUBSCRIPTION: SubscriptionSpec[SqlResultsUnitOfWork] = SubscriptionSpec(
    handlers={BoutScheduledV1: on_bout, BoutCancelledV1: on_bout, BoutCompletedV1: on_bout},
)
