"""Operational commands at the HTTP edge: one transaction each, with ``Idempotency-Key`` support.

A command's state change, its outbox rows and the remembered response of its idempotency key commit together, so
a retried request with the same key gets the first answer back and has no second effect. Every command needs a
token holding ``write:<domain>`` (:attr:`CommandExecutor.writer` is the route dependency). An idempotency key belongs
to the caller (token subject) that used it first: another caller presenting it gets a ``409`` problem, never the
stored reply. Replies — first and replayed — show personal data only to callers holding the product's PII scope.
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

from mesh_platform.auth.masking import PersonalData
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.errors import Conflict
from mesh_platform.store.unit_of_work import SqlUnitOfWork

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Repeat a command safely: same key, one effect"),
]

UoW = TypeVar("UoW", bound=SqlUnitOfWork)


class CommandExecutor:
    """Runs command actions in a fresh unit of work and commits them, honouring idempotency keys.

    ``writer`` is the FastAPI dependency admitting callers of the domain's commands (``write:<domain>``);
    ``personal_data`` names the reply fields masked for callers without the PII scope.
    """

    def __init__(
        self,
        uow_factory: Callable[[], SqlUnitOfWork],
        idempotency_table: Table,
        *,
        writer: Callable[..., AccessToken],
        personal_data: PersonalData | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.table = idempotency_table
        self.writer = writer
        self.personal_data = personal_data

    def run(
        self,
        operation: str,
        request: Any,
        idempotency_key: str | None,
        action: Callable[[Any], tuple[int, Any]],
        caller: AccessToken,
    ) -> JSONResponse:
        """Run ``action(uow)`` → ``(status, body)`` and commit; replay the stored answer for a repeated key."""
        # The stored hash is the caller's digest then the request's: one column binds the key to both.
        request_hash = _digest(caller.subject) + _digest(
            json.dumps(jsonable_encoder(request), sort_keys=True, default=str)
        )
        if idempotency_key:
            stored = self._stored(idempotency_key, operation, request_hash, caller)
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
                stored = self._stored(idempotency_key, operation, request_hash, caller) if idempotency_key else None
                if stored is None:
                    raise
                return stored
        return JSONResponse(self._shown(encoded, caller), status_code=status, headers=_replay_header(False))

    def _shown(self, body: Any, caller: AccessToken) -> Any:
        if self.personal_data is None or not isinstance(body, dict):
            return body
        return self.personal_data.shown_to(body, caller)

    def _stored(self, key: str, operation: str, request_hash: str, caller: AccessToken) -> JSONResponse | None:
        with self.uow_factory() as uow:
            row = uow.session.execute(
                select(self.table).where(self.table.c.key == key, self.table.c.operation == operation)
            ).first()
        if row is None:
            return None
        if row.request_hash[:_HALF] != request_hash[:_HALF]:
            raise Conflict(
                f"Idempotency-Key {key!r} belongs to another caller; choose a key of your own", field="Idempotency-Key"
            )
        if row.request_hash != request_hash:
            raise Conflict(
                f"Idempotency-Key {key!r} was already used for a different {operation} request", field="Idempotency-Key"
            )
        return JSONResponse(
            self._shown(row.response_body, caller), status_code=row.status_code, headers=_replay_header(True)
        )


_HALF = 32


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_HALF]


def _replay_header(replayed: bool) -> dict[str, str]:
    return {"Idempotent-Replayed": "true" if replayed else "false"}
