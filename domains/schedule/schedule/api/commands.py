"""Schedule's operational commands: announce and cancel cards, schedule and cancel bouts
(tokens with ``write:schedule``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from mesh_platform.domain_api import AUTH_RESPONSES, AccessToken, CommandExecutor, IdempotencyKey
from schedule.api.schemas import BoutCreate, BoutPublic, CardCreate, CardPublic
from schedule.service import handlers
from schedule.service.unit_of_work import FighterDirectory


def commands_router(
    executor: CommandExecutor, directory: FighterDirectory, clock: Callable[[], datetime] = partial(datetime.now, UTC)
) -> APIRouter:
    """The command endpoints; ``clock`` is the one source of "now" for every rule and timestamp."""
    router = APIRouter(tags=["commands"], responses=AUTH_RESPONSES)
    writer = Depends(executor.writer)

    @router.post("/cards", status_code=201, response_model=CardPublic, summary="Announce an event card")
    def announce(body: CardCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "announce_card", body, idempotency_key,
            lambda uow: (201, CardPublic(**handlers.announce_card(body, uow, clock()).model_dump())),
            caller,
        )

    @router.post("/cards/{card_id}/cancellation", response_model=CardPublic, summary="Cancel a card and its bouts")
    def cancel_card(card_id: str, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "cancel_card", {"card_id": card_id}, idempotency_key,
            lambda uow: (200, CardPublic(**handlers.cancel_card(card_id, uow).model_dump())),
            caller,
        )

    @router.post("/cards/{card_id}/bouts", status_code=201, response_model=BoutPublic, summary="Schedule a bout")
    def schedule_bout(card_id: str, body: BoutCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "schedule_bout", {"card_id": card_id, **body.model_dump()}, idempotency_key,
            lambda uow: (201, BoutPublic(**handlers.schedule_bout(card_id, body, uow, directory, clock()).model_dump())),
            caller,
        )

    @router.post("/bouts/{bout_id}/cancellation", response_model=BoutPublic, summary="Cancel a bout")
    def cancel_bout(bout_id: str, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "cancel_bout", {"bout_id": bout_id}, idempotency_key,
            lambda uow: (200, BoutPublic(**handlers.cancel_bout(bout_id, uow).model_dump())),
            caller,
        )

    return router
