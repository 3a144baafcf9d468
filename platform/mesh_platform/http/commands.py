"""Operational commands at the HTTP edge: one transaction each, with ``Idempotency-Key`` support.

A command's state change, its outbox rows and the remembered response of its idempotency key commit together, so
a retried request with the same key gets the first answer back and has no second effect.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError

from mesh_platform.errors import Conflict
from mesh_platform.store.unit_of_work import SqlUnitOfWork

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Repeat a command safely: same key, one effect"),
]

UoW = TypeVar("UoW", bound=SqlUnitOfWork)


class CommandExecutor:
    """Runs command actions in a fresh unit of work and commits them, honouring idempotency keys."""

    def __init__(self, uow_factory: Callable[[], SqlUnitOfWork], idempotency_table: Table) -> None:
        self.uow_factory = uow_factory
        self.table = idempotency_table

    def run(
        self,
        operation: str,
        request: Any,
        idempotency_key: str | None,
        action: Callable[[Any], tuple[int, Any]],
    ) -> JSONResponse:
        """Run ``action(uow)`` → ``(status, body)`` and commit; replay the stored answer for a repeated key."""
        request_hash = hashlib.sha256(
            json.dumps(jsonable_encoder(request), sort_keys=True, default=str).encode()
        ).hexdigest()
        if idempotency_key:
            stored = self._stored(idempotency_key, operation, request_hash)
            if stored is not None:
                return stored
        with self.uow_factory() as uow:
            status, body = action(uow)
            encoded = jsonable_encoder(body)
            if idempotency_key:
                uow.session.execute(
                    insert(self.table).values(
                        key=idempotency_key,
                        operation=operation,
                        request_hash=request_hash,
                        status_code=status,
                        response_body=encoded,
                        created_at=datetime.now(UTC),
                    )
                )
            try:
                uow.commit()
            except IntegrityError:
                # A concurrent request with the same key won the race: answer as it did.
                uow.rollback()
                stored = self._stored(idempotency_key, operation, request_hash) if idempotency_key else None
                if stored is None:
                    raise
                return stored
        return JSONResponse(encoded, status_code=status, headers=_replay_header(False))

    def _stored(self, key: str, operation: str, request_hash: str) -> JSONResponse | None:
        with self.uow_factory() as uow:
            row = uow.session.execute(
                select(self.table).where(self.table.c.key == key, self.table.c.operation == operation)
            ).first()
        if row is None:
            return None
        if row.request_hash != request_hash:
            raise Conflict(
                f"Idempotency-Key {key!r} was already used for a different {operation} request", field="Idempotency-Key"
            )
        return JSONResponse(row.response_body, status_code=row.status_code, headers=_replay_header(True))


def _replay_header(replayed: bool) -> dict[str, str]:
    return {"Idempotent-Replayed": "true" if replayed else "false"}
