"""Results' operational command: record the result of a bout (tokens with ``write:results``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from mesh_platform.domain_api import AUTH_RESPONSES, AccessToken, CommandExecutor, IdempotencyKey
from results.api.schemas import ResultCreate, ResultPublic
from results.service import handlers
from results.service.unit_of_work import BoutDirectory


def commands_router(
    executor: CommandExecutor, directory: BoutDirectory, clock: Callable[[], datetime] = partial(datetime.now, UTC)
) -> APIRouter:
    """The command endpoint; ``clock`` is the one source of "now" for every rule and timestamp."""
    router = APIRouter(tags=["commands"], responses=AUTH_RESPONSES)
    writer = Depends(executor.writer)

    @router.post("/bouts/{bout_id}/result", status_code=201, response_model=ResultPublic,
                 summary="Record the result of a bout")
    def record_result(bout_id: str, body: ResultCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.run(
            "record_result", {"bout_id": bout_id, **body.model_dump(mode="json")}, idempotency_key,
            lambda uow: (201, ResultPublic(
                **handlers.record_bout_result(bout_id, body, uow, directory, clock()).model_dump()
            )),
            caller,
        )

    return router
