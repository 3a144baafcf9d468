"""Operational commands at the HTTP edge: one transaction each, with ``Idempotency-Key`` support.

A command's state change, its outbox rows and the remembered response of its idempotency key commit together, so
a retried request with the same key gets the first answer back and has no second effect. Every command needs a
token holding ``write:<domain>`` (:attr:`CommandExecutor.writer` is the route dependency). An idempotency key belongs
to the caller (token subject) that used it first: another caller presenting it gets a ``409`` problem, never the
stored reply. Replies — first and replayed — show personal data only to callers holding the product's PII scope.

A domain declares each command once as a :class:`Command` (its operation, its body model, its path parameters and
what it does in a unit of work); the single route runs it with :meth:`CommandExecutor.execute`, and the batch route
(:mod:`mesh_platform.http.command_batch`) runs the very same declaration once per NDJSON line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mesh_platform.auth.masking import PersonalData
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.errors import Conflict
from mesh_platform.store.unit_of_work import SqlUnitOfWork

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Repeat a command safely: same key, one effect"),
]
MAX_IDEMPOTENCY_KEY_LENGTH = 255
DEFAULT_MAX_BATCH_LINES = 5000

UoW = TypeVar("UoW", bound=SqlUnitOfWork)
Body = TypeVar("Body", bound=BaseModel)


@dataclass(frozen=True)
class Command(Generic[Body]):
    """One operational command, declared once for its single route and its batch route.

    ``path`` is the single route's path relative to its router (``"/{fighter_id}/retirement"``), ``params`` the
    names of its path parameters in order, ``body`` the model of its JSON body (None for commands without one),
    ``status`` the status of a successful reply, and ``handle(uow, body, params)`` does the work in the unit of work
    and returns the reply (a model or a JSON-able value). The executor commits.
    """

    operation: str
    path: str
    status: int
    body: type[Body] | None
    handle: Callable[[Any, Body, dict[str, str]], Any]
    params: tuple[str, ...] = ()

    def request(self, body: Body | None, params: dict[str, str]) -> Any:
        """What the idempotency key is bound to: the body, preceded by the path parameters when there are any."""
        if not self.params:
            return body
        return {**{name: params[name] for name in self.params}, **(body.model_dump(mode="json") if body else {})}

    @property
    def batch_path(self) -> str:
        """The path of the batch route: the single path without its parameter segments, then ``/batch``.

        ``""`` → ``/batch``, ``/{card_id}/bouts`` → ``/bouts/batch``; path parameters travel on each line instead.
        """
        kept = [part for part in self.path.split("/") if part and not part.startswith("{")]
        return "/" + "/".join([*kept, "batch"])


class CommandExecutor:
    """Runs command actions in a fresh unit of work and commits them, honouring idempotency keys.

    ``writer`` is the FastAPI dependency admitting callers of the domain's commands (``write:<domain>``);
    ``personal_data`` names the reply fields masked for callers without the PII scope; ``max_batch_lines`` is the
    most lines one batch request may carry.
    """

    def __init__(
        self,
        uow_factory: Callable[[], SqlUnitOfWork],
        idempotency_table: Table,
        *,
        writer: Callable[..., Awaitable[AccessToken]],
        personal_data: PersonalData | None = None,
        max_batch_lines: int = DEFAULT_MAX_BATCH_LINES,
    ) -> None:
        self.uow_factory = uow_factory
        self.table = idempotency_table
        self.writer = writer
        self.personal_data = personal_data
        self.max_batch_lines = max_batch_lines
        # Prepared once, parameters apart: no clause (and cache key) built per command.
        self._insert = insert(idempotency_table)
        answer = select(idempotency_table.c.key, idempotency_table.c.request_hash, idempotency_table.c.status_code,
                        idempotency_table.c.response_body)
        operation = idempotency_table.c.operation == bindparam("operation")
        self._lookup_one = answer.where(idempotency_table.c.key == bindparam("key"), operation)
        self._lookup_many = answer.where(idempotency_table.c.key.in_(bindparam("keys", expanding=True)), operation)

    def execute(
        self, command: Command[Body], body: Body | None, params: dict[str, str], idempotency_key: str | None,
        caller: AccessToken,
    ) -> JSONResponse:
        """Run ``command`` for one request (the single route): its reply, or the stored one for a repeated key."""
        return self.run(
            command.operation, command.request(body, params), idempotency_key,
            lambda uow: (command.status, command.handle(uow, body, params)), caller,  # type: ignore[arg-type]
        )

    def run(
        self,
        operation: str,
        request: Any,
        idempotency_key: str | None,
        action: Callable[[Any], tuple[int, Any]],
        caller: AccessToken,
    ) -> JSONResponse:
        """Run ``action(uow)`` → ``(status, body)`` and commit; replay the stored answer for a repeated key."""
        if not idempotency_key:
            with self.uow_factory() as uow:
                status, body = action(uow)
                encoded = encoded_reply(body)
                uow.commit()
            return _reply((status, self.shown(encoded, caller)), replayed=False)
        request_hash = self.request_hash(request, caller)
        # The look-up and the command share one transaction: one session, one connection, one round of BEGIN/COMMIT.
        with self.uow_factory() as uow:
            stored = self.stored(uow.session, idempotency_key, operation, request_hash, caller)
            if stored is not None:
                return _reply(stored, replayed=True)
            status, body = action(uow)
            encoded = encoded_reply(body)
            self.remember(uow.session, idempotency_key, operation, request_hash, status, encoded)
            try:
                uow.commit()
            except IntegrityError:
                # A concurrent request with the same key won the race: answer as it did.
                uow.rollback()
                stored = self.stored(uow.session, idempotency_key, operation, request_hash, caller)
                if stored is None:
                    raise
                return _reply(stored, replayed=True)
        return _reply((status, self.shown(encoded, caller)), replayed=False)

    @staticmethod
    def request_hash(request: Any, caller: AccessToken) -> str:
        """The caller's digest then the request's: one stored column binds a key to both."""
        return _digest(caller.subject) + _digest(json.dumps(_encoded(request), sort_keys=True, default=str))

    def remember(
        self, session: Session, key: str, operation: str, request_hash: str, status: int, encoded: Any
    ) -> None:
        """Stage the reply of ``key`` in ``session``'s transaction, beside the state change it answers for."""
        self.remember_many(session, [(key, operation, request_hash, status, encoded)])

    def remember_many(self, session: Session, replies: Iterable[tuple[str, str, str, int, Any]]) -> None:
        """Stage many ``(key, operation, request_hash, status, encoded reply)`` with one ``executemany``."""
        now = datetime.now(UTC)
        rows = [{"key": key, "operation": operation, "request_hash": request_hash, "status_code": status,
                 "response_body": encoded, "created_at": now}
                for key, operation, request_hash, status, encoded in replies]
        if rows:
            session.execute(self._insert, rows)

    def shown(self, body: Any, caller: AccessToken) -> Any:
        """``body`` as ``caller`` may see it (personal data masked without the PII scope)."""
        if self.personal_data is None or not isinstance(body, dict):
            return body
        return self.personal_data.shown_to(body, caller)

    def stored(
        self, session: Session, key: str, operation: str, request_hash: str, caller: AccessToken
    ) -> tuple[int, Any] | None:
        """``(status, body as caller may see it)`` remembered for ``key``; :class:`Conflict` if it is not theirs."""
        rows = self.stored_rows(session, [key], operation)
        return self.answer_of(rows.get(key), key, operation, request_hash, caller)

    def stored_rows(self, session: Session, keys: list[str], operation: str) -> dict[str, Any]:
        """The remembered rows of ``keys`` for ``operation`` (one query for a whole batch), by key."""
        if not keys:
            return {}
        if len(keys) == 1:
            rows = session.execute(self._lookup_one, {"key": keys[0], "operation": operation})
        else:
            rows = session.execute(self._lookup_many, {"keys": keys, "operation": operation})
        return {row.key: row for row in rows}

    def answer_of(
        self, row: Any, key: str, operation: str, request_hash: str, caller: AccessToken
    ) -> tuple[int, Any] | None:
        """The remembered answer ``row`` of ``key`` shown to ``caller``; :class:`Conflict` if it is not theirs."""
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
        return row.status_code, self.shown(row.response_body, caller)


_HALF = 32


def encoded_reply(body: Any) -> Any:
    """``body`` as JSON-able values (a model dumps itself: quicker than the generic encoder, same result)."""
    return body.model_dump(mode="json") if isinstance(body, BaseModel) else jsonable_encoder(body)


def _encoded(request: Any) -> Any:
    # What jsonable_encoder gives for a model (its JSON dump by alias), without walking the dump a second time.
    return request.model_dump(mode="json", by_alias=True) if isinstance(request, BaseModel) else jsonable_encoder(request)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_HALF]


def _reply(answer: tuple[int, Any], *, replayed: bool) -> JSONResponse:
    status, body = answer
    return JSONResponse(body, status_code=status, headers={"Idempotent-Replayed": "true" if replayed else "false"})
