"""Roster's operational commands: register, update and retire fighters (tokens with ``write:roster``).

Replies carry the fighter's date of birth only for callers holding ``pii:roster.fighters``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from mesh_platform.domain_api import AUTH_RESPONSES, AccessToken, CommandExecutor, IdempotencyKey
from roster.api.schemas import FighterCreate, FighterPublic, FighterUpdate
from roster.domain.model import Fighter
from roster.service import handlers


def commands_router(executor: CommandExecutor, clock: Callable[[], datetime] = partial(datetime.now, UTC)) -> APIRouter:
    """The command endpoints; ``clock`` is the one source of "now" for every rule and timestamp."""
    router = APIRouter(prefix="/fighters", tags=["commands"], responses=AUTH_RESPONSES)
    writer = Depends(executor.writer)

    def public(fighter: Fighter) -> FighterPublic:
        return FighterPublic(**fighter.model_dump())

    @router.post("", status_code=201, response_model=FighterPublic, summary="Register a fighter")
    def register(body: FighterCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "register_fighter", body, idempotency_key,
            lambda uow: (201, public(handlers.register_fighter(body, uow, clock()))),
            caller,
        )

    @router.put("/{fighter_id}", response_model=FighterPublic, summary="Replace a fighter's profile")
    def update(fighter_id: str, body: FighterUpdate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "update_fighter", {"fighter_id": fighter_id, **body.model_dump(mode="json")}, idempotency_key,
            lambda uow: (200, public(handlers.update_fighter(fighter_id, body, uow, clock()))),
            caller,
        )

    @router.post("/{fighter_id}/retirement", response_model=FighterPublic, summary="Retire a fighter")
    def retire(fighter_id: str, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "retire_fighter", {"fighter_id": fighter_id}, idempotency_key,
            lambda uow: (200, public(handlers.retire_fighter(fighter_id, uow, clock()))),
            caller,
        )

    return router
