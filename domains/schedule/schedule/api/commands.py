"""Schedule's operational commands: announce and cancel cards, schedule and cancel bouts
(tokens with ``write:schedule``).

Each command is declared once (a :class:`Command`) and served one at a time; those clients load in bulk are also
served as NDJSON batches: ``POST /cards/batch`` (announce cards) and ``POST /cards/bouts/batch`` (schedule bouts,
each line naming its card with ``card_id``, as the single route ``POST /cards/{card_id}/bouts`` does in its path)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from mesh_platform.domain_api import (
    AUTH_RESPONSES,
    AccessToken,
    Command,
    CommandExecutor,
    IdempotencyKey,
    add_batch_route,
)
from schedule.api.schemas import BoutCreate, BoutPublic, CardCreate, CardPublic
from schedule.service import handlers
from schedule.service.unit_of_work import FighterDirectory


def commands_router(
    executor: CommandExecutor, directory: FighterDirectory, clock: Callable[[], datetime] = partial(datetime.now, UTC)
) -> APIRouter:
    """The command endpoints; ``clock`` is the one source of "now" for every rule and timestamp."""
    router = APIRouter(tags=["commands"], responses=AUTH_RESPONSES)
    writer = Depends(executor.writer)

    announce = Command(
        "announce_card", "/cards", 201, CardCreate,
        lambda uow, body, _: CardPublic(**handlers.announce_card(body, uow, clock()).model_dump()),
    )
    cancel_card: Command[Any] = Command(
        "cancel_card", "/cards/{card_id}/cancellation", 200, None,
        lambda uow, _, at: CardPublic(**handlers.cancel_card(at["card_id"], uow).model_dump()),
        params=("card_id",),
    )
    schedule_bout = Command(
        "schedule_bout", "/cards/{card_id}/bouts", 201, BoutCreate,
        lambda uow, body, at: BoutPublic(
            **handlers.schedule_bout(at["card_id"], body, uow, directory, clock()).model_dump()
        ),
        params=("card_id",),
    )
    cancel_bout: Command[Any] = Command(
        "cancel_bout", "/bouts/{bout_id}/cancellation", 200, None,
        lambda uow, _, at: BoutPublic(**handlers.cancel_bout(at["bout_id"], uow).model_dump()),
        params=("bout_id",),
    )

    @router.post(announce.path, status_code=201, response_model=CardPublic, summary="Announce an event card")
    def announce_one(body: CardCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(announce, body, {}, idempotency_key, caller)

    @router.post(cancel_card.path, response_model=CardPublic, summary="Cancel a card and its bouts")
    def cancel_card_one(card_id: str, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(cancel_card, None, {"card_id": card_id}, idempotency_key, caller)

    @router.post(schedule_bout.path, status_code=201, response_model=BoutPublic, summary="Schedule a bout")
    def schedule_bout_one(card_id: str, body: BoutCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(schedule_bout, body, {"card_id": card_id}, idempotency_key, caller)

    @router.post(cancel_bout.path, response_model=BoutPublic, summary="Cancel a bout")
    def cancel_bout_one(bout_id: str, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(cancel_bout, None, {"bout_id": bout_id}, idempotency_key, caller)

    add_batch_route(router, executor, announce, summary="Announce many event cards (NDJSON)", reply_model=CardPublic)
    add_batch_route(router, executor, schedule_bout, summary="Schedule many bouts (NDJSON, `card_id` on each line)",
                    reply_model=BoutPublic)
    return router
