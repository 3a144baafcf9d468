"""Results' operational command: record the result of a bout (tokens with ``write:results``).

Declared once (a :class:`Command`) and served one at a time (``POST /bouts/{bout_id}/result``) and as NDJSON
batches (``POST /bouts/result/batch``, each line naming its bout with ``bout_id``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

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
from results.api.schemas import ResultCreate, ResultPublic
from results.service import handlers
from results.service.unit_of_work import BoutDirectory


def commands_router(
    executor: CommandExecutor, directory: BoutDirectory, clock: Callable[[], datetime] = partial(datetime.now, UTC)
) -> APIRouter:
    """The command endpoint; ``clock`` is the one source of "now" for every rule and timestamp."""
    router = APIRouter(tags=["commands"], responses=AUTH_RESPONSES)
    writer = Depends(executor.writer)

    record = Command(
        "record_result", "/bouts/{bout_id}/result", 201, ResultCreate,
        lambda uow, body, at: ResultPublic(
            **handlers.record_bout_result(at["bout_id"], body, uow, directory, clock()).model_dump()
        ),
        params=("bout_id",),
    )

    @router.post(record.path, status_code=201, response_model=ResultPublic, summary="Record the result of a bout")
    def record_result(bout_id: str, body: ResultCreate, idempotency_key: IdempotencyKey = None, caller: AccessToken = writer) -> JSONResponse:
        return executor.execute(record, body, {"bout_id": bout_id}, idempotency_key, caller)

    add_batch_route(router, executor, record, summary="Record many results (NDJSON, `bout_id` on each line)",
                    reply_model=ResultPublic)
    return router
