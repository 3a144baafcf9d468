"""Roster's operational commands: register, update and retire fighters (tokens with ``write:roster``).

Each command is declared once (a :class:`Command`) and served twice: one at a time (``POST /fighters``,
``PUT /fighters/{fighter_id}``, ``POST /fighters/{fighter_id}/retirement``) and as NDJSON batches for clients that
load many (``POST /fighters/batch``, ``POST /fighters/retirement/batch`` with ``fighter_id`` on each line).
Replies carry the fighter's date of birth only for callers holding ``pii:roster.fighters``."""

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
from roster.api.schemas import FighterCreate, FighterPublic, FighterUpdate
from roster.domain.model import Fighter
from roster.service import handlers


def commands_router(executor: CommandExecutor, clock: Callable[[], datetime] = partial(datetime.now, UTC)) -> APIRouter:
    """The command endpoints; ``clock`` is the one source of "now" for every rule and timestamp."""
    router = APIRouter(prefix="/fighters", tags=["commands"], responses=AUTH_RESPONSES)
    writer = Depends(executor.writer)

    def public(fighter: Fighter) -> FighterPublic:
        return FighterPublic(**fighter.model_dump())

    register = Command(
        "register_fighter", "", 201, FighterCreate,
        lambda uow, body, _: public(handlers.register_fighter(body, uow, clock())),
    )
    update = Command(
        "update_fighter", "/{fighter_id}", 200, FighterUpdate,
        lambda uow, body, at: public(handlers.update_fighter(at["fighter_id"], body, uow, clock())),
        params=("fighter_id",),
    )
    retire: Command[Any] = Command(
        "retire_fighter", "/{fighter_id}/retirement", 200, None,
        lambda uow, _, at: public(handlers.retire_fighter(at["fighter_id"], uow, clock())),
        params=("fighter_id",),
    )

    @router.post(register.path, status_code=201, response_model=FighterPublic, summary="Register a fighter")
    def register_one(body: FighterCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(register, body, {}, idempotency_key, caller)

    @router.put(update.path, response_model=FighterPublic, summary="Replace a fighter's profile")
    def update_one(fighter_id: str, body: FighterUpdate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(update, body, {"fighter_id": fighter_id}, idempotency_key, caller)

    @router.post(retire.path, response_model=FighterPublic, summary="Retire a fighter")
    def retire_one(fighter_id: str, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(retire, None, {"fighter_id": fighter_id}, idempotency_key, caller)

    add_batch_route(router, executor, register, summary="Register many fighters (NDJSON)", reply_model=FighterPublic)
    add_batch_route(router, executor, retire, summary="Retire many fighters (NDJSON, `fighter_id` on each line)",
                    reply_model=FighterPublic)
    return router
