"""Batch commands: many commands of one kind in one request, as NDJSON, each answered as the single route would.

``POST <single path without its parameter segments>/batch`` (``POST /fighters/batch``, ``POST /cards/bouts/batch``
for ``POST /cards/{card_id}/bouts``) takes ``Content-Type: application/x-ndjson``, one JSON object per line::

    {"idempotency_key": "<optional>", "command": <the single command's JSON body>, "<path parameter>": "..."}

and answers ``200 application/x-ndjson``, one line per input line in order::

    {"line": <1-based line number>, "idempotency_key": ..., "status": <the single command's status>,
     "body": <its reply, or its problem+json document>}

Every line runs the same :class:`~mesh_platform.http.commands.Command` as the single route: same validation, same
domain rules, same events, same idempotency (a key used before — on the single route or in a batch — replays the
first reply; another caller's key is a ``409`` line), same masking of personal data, same ``write:<domain>`` token.
Lines run in chunked transactions with a savepoint each, so a bad line (invalid JSON, a validation error, a broken
rule) fails only itself while the good lines commit with their outbox rows. Empty lines are skipped (they keep their
number). The whole request is refused with ``415`` for another content type and ``413`` for more lines than
``max_batch_lines`` (or a body over the service's byte limit, ``MESH_MAX_BODY_BYTES``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from mesh_platform.auth.tokens import AccessToken
from mesh_platform.errors import DomainError
from mesh_platform.http.commands import MAX_IDEMPOTENCY_KEY_LENGTH, Command, CommandExecutor, encoded_reply
from mesh_platform.http.limits import DEFAULT_MAX_JSON_DEPTH, json_too_deep
from mesh_platform.http.problems import (
    BAD_REQUEST,
    BODY_TOO_LARGE,
    INTERNAL_ERROR,
    JSON_TOO_DEEP,
    UNSUPPORTED_MEDIA_TYPE,
    ProblemError,
    domain_problem_body,
    invalid_request_body,
    problem_body,
)

log = logging.getLogger(__name__)

NDJSON = "application/x-ndjson"
CHUNK_LINES = 500  # lines per transaction: long enough to amortise a commit, short enough to hold a lock briefly
_ENVELOPE = ("idempotency_key", "command")


@dataclass
class _Line:
    number: int
    key: str | None = None
    body: Any = None
    params: dict[str, str] | None = None
    result: tuple[int, Any] | None = None  # set once the line is answered (refused before it runs, or done)


def add_batch_route(
    router: APIRouter, executor: CommandExecutor, command: Command[Any], *, summary: str,
    reply_model: type[Any] | None = None,
) -> None:
    """Add ``POST <command.batch_path>`` to ``router``: ``command`` once per NDJSON line (see the module doc).

    ``reply_model`` (the single route's ``response_model``) documents the ``body`` of successful lines.
    """

    async def batch(request: Request, caller: AccessToken = Depends(executor.writer)) -> Response:
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != NDJSON:
            raise ProblemError(UNSUPPORTED_MEDIA_TYPE, f"content-type: a batch is {NDJSON}, one command per line",
                               field="content-type")
        lines = (await request.body()).split(b"\n")
        counted = sum(1 for line in lines if line.strip())
        if counted > executor.max_batch_lines:
            raise ProblemError(
                BODY_TOO_LARGE, f"body: {counted} lines, more than the limit of {executor.max_batch_lines} per batch",
                field="body", extensions={"max_lines": executor.max_batch_lines},
            )
        prefix = request.url.path.removesuffix(command.batch_path)
        answers = await run_in_threadpool(run_batch, executor, command, lines, caller, prefix)
        return Response("".join(json.dumps(answer) + "\n" for answer in answers), media_type=NDJSON)

    router.add_api_route(
        command.batch_path, batch, methods=["POST"], summary=summary, response_class=Response,
        description=f"Runs `{command.operation}` once per line of an NDJSON body. " + _DESCRIPTION,
        responses=_batch_responses(command, reply_model), openapi_extra=_request_body(command),
    )


def run_batch(
    executor: CommandExecutor, command: Command[Any], lines: list[bytes], caller: AccessToken, prefix: str = ""
) -> list[dict[str, Any]]:
    """The answer of every non-empty line of ``lines`` (``prefix``: the router's path prefix, for ``instance``).

    Each chunk first runs at once: every line's command in one transaction without savepoints, their outbox rows
    and remembered replies written with one ``executemany`` each after one flush of the chunk's rows (profiled: a
    savepoint, a flush and an outbox insert per line were most of a batch's time). When any line of the chunk
    fails, nothing of that attempt is kept and the chunk runs again line by line, each line in a savepoint of its
    own, so the bad line fails alone: the answers and effects are the same either way.
    """
    parsed = [_parse(command, number, raw, prefix) for number, raw in enumerate(lines, start=1) if raw.strip()]
    pending = [line for line in parsed if line.result is None]
    for start in range(0, len(pending), CHUNK_LINES):
        chunk = pending[start:start + CHUNK_LINES]
        if not _run_chunk_at_once(executor, command, chunk, caller, prefix):
            _run_chunk_line_by_line(executor, command, chunk, caller, prefix)
    return [{"line": line.number, "idempotency_key": line.key, "status": line.result[0], "body": line.result[1]}
            for line in parsed if line.result is not None]


def _run_chunk_at_once(
    executor: CommandExecutor, command: Command[Any], chunk: list[_Line], caller: AccessToken, prefix: str
) -> bool:
    """Run ``chunk`` in one transaction and answer its lines; False, with nothing kept, if any line failed."""
    results: list[tuple[int, Any]] = []
    replies: list[tuple[str, str, str, int, Any]] = []
    try:
        with executor.uow_factory() as uow:
            session = uow.session
            _begin(session)
            staged = uow.outbox = uow.outbox.staged()
            known = executor.stored_rows(session, sorted({line.key for line in chunk if line.key}), command.operation)
            for line in chunk:
                params = line.params or {}
                request_hash = executor.request_hash(command.request(line.body, params), caller)
                if line.key:
                    try:
                        stored = executor.answer_of(known.get(line.key), line.key, command.operation, request_hash,
                                                    caller)
                    except DomainError as e:  # another caller's key, or another request's: this line's 409
                        body = domain_problem_body(e, instance=prefix + _single_path(command, params))
                        results.append((body["status"], body))
                        continue
                    if stored is not None:
                        results.append(stored)
                        continue
                reply = encoded_reply(command.handle(uow, line.body, params))
                if line.key:
                    replies.append((line.key, command.operation, request_hash, command.status, reply))
                    known[line.key] = _Remembered(request_hash, command.status, reply)
                results.append((command.status, executor.shown(reply, caller)))
            session.flush()
            staged.write(session)
            executor.remember_many(session, replies)
            uow.commit()
    except Exception as e:  # any failure: the chunk runs again line by line, which answers each line
        log.debug("a %s batch chunk runs line by line: %r", command.operation, e)
        return False
    for line, result in zip(chunk, results, strict=True):
        line.result = result
    return True


def _run_chunk_line_by_line(
    executor: CommandExecutor, command: Command[Any], chunk: list[_Line], caller: AccessToken, prefix: str
) -> None:
    with executor.uow_factory() as uow:
        _begin(uow.session)
        # Every key of the chunk looked up at once; lines answered in the chunk join them as they commit.
        known = executor.stored_rows(uow.session, sorted({line.key for line in chunk if line.key}), command.operation)
        for line in chunk:
            line.result = _run_line(executor, command, uow, line, caller, prefix, known)
        uow.commit()


def _begin(session: Session) -> None:
    # pysqlite opens a transaction only before a write, so a SAVEPOINT first would be an outer transaction whose
    # RELEASE commits; BEGIN IMMEDIATE makes the chunk one transaction (and takes the write lock up front).
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def _run_line(
    executor: CommandExecutor, command: Command[Any], uow: Any, line: _Line, caller: AccessToken, prefix: str,
    known: dict[str, Any],
) -> tuple[int, Any]:
    params = line.params or {}
    instance = prefix + _single_path(command, params)
    request_hash = executor.request_hash(command.request(line.body, params), caller)
    session = uow.session
    try:
        if line.key:
            stored = executor.answer_of(known.get(line.key), line.key, command.operation, request_hash, caller)
            if stored is not None:
                return stored
        with session.begin_nested():
            reply = encoded_reply(command.handle(uow, line.body, params))
            if line.key:
                executor.remember(session, line.key, command.operation, request_hash, command.status, reply)
        if line.key:
            known[line.key] = _Remembered(request_hash, command.status, reply)
        return command.status, executor.shown(reply, caller)
    except DomainError as e:
        body = domain_problem_body(e, instance=instance)
        return body["status"], body
    except IntegrityError:
        # Another request stored the same key meanwhile: answer as it did, like the single route.
        stored = executor.stored(session, line.key, command.operation, request_hash, caller) if line.key else None
        if stored is None:
            log.exception("line %d of a %s batch failed", line.number, command.operation)
            return 500, _internal_error(instance)
        return stored
    except Exception:
        log.exception("line %d of a %s batch failed", line.number, command.operation)
        return 500, _internal_error(instance)


@dataclass(frozen=True)
class _Remembered:
    """The reply a line of this chunk stored for its key (the shape of an idempotency row)."""

    request_hash: str
    status_code: int
    response_body: Any


def _parse(command: Command[Any], number: int, raw: bytes, prefix: str) -> _Line:
    """The line with its key, body and path parameters validated, or with the problem that refuses it."""
    line = _Line(number)
    instance = prefix + command.batch_path
    if json_too_deep(raw, DEFAULT_MAX_JSON_DEPTH):
        line.result = 400, problem_body(
            400, JSON_TOO_DEEP.title, f"line {number}: JSON nests deeper than {DEFAULT_MAX_JSON_DEPTH} levels",
            kind=JSON_TOO_DEEP, errors=[{"field": "body", "reason": "nested too deeply"}], instance=instance)
        return line
    try:
        document = json.loads(raw)
    except ValueError as e:
        line.result = 400, problem_body(400, BAD_REQUEST.title, f"body: line {number} is not JSON: {e}",
                                        kind=BAD_REQUEST, errors=[{"field": "body", "reason": "not JSON"}],
                                        instance=instance)
        return line
    if not isinstance(document, dict):
        line.result = 422, invalid_request_body(
            [{"loc": ("body",), "msg": "each line must be a JSON object"}], instance=instance)
        return line
    key = document.get("idempotency_key")
    line.key = key if isinstance(key, str) else None
    envelope_errors = list(_envelope_errors(command, document))
    if envelope_errors:
        line.result = 422, invalid_request_body(envelope_errors, instance=instance)
        return line
    line.params = {name: document[name] for name in command.params}
    instance = prefix + _single_path(command, line.params)
    if command.body is not None:
        try:
            line.body = command.body.model_validate(document.get("command"))
        except ValidationError as e:
            line.result = 422, invalid_request_body(e.errors(include_url=False), instance=instance)
    return line


def _envelope_errors(command: Command[Any], document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    key = document.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH):
        yield {"loc": ("idempotency_key",),
               "msg": f"must be a string of at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters"}
    for name in command.params:
        if not isinstance(document.get(name), str) or not document[name]:
            yield {"loc": (name,), "msg": "Field required (a non-empty string: the path parameter of the command)"}
    if command.body is None and document.get("command") not in (None, {}):
        yield {"loc": ("command",), "msg": "this command takes no body"}
    for name in sorted(document.keys() - {*_ENVELOPE, *command.params}):
        yield {"loc": (name,), "msg": "Extra inputs are not permitted"}


def _single_path(command: Command[Any], params: dict[str, str]) -> str:
    path = command.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    return path


def _internal_error(instance: str) -> dict[str, Any]:
    return problem_body(500, INTERNAL_ERROR.title, "the command failed unexpectedly; see the service log",
                        kind=INTERNAL_ERROR, instance=instance)


_DESCRIPTION = (
    "Body: `application/x-ndjson`, one JSON object per line: `{\"idempotency_key\": <optional string>, \"command\": "
    "<the single command's body>}` plus the single route's path parameters by name. Reply: one NDJSON line per input "
    "line, in order: `{\"line\", \"idempotency_key\", \"status\", \"body\"}` where `status` and `body` are what the "
    "single command would have answered (its reply or its problem+json document). A bad line fails alone; good lines "
    "commit with their events. A repeated key replays the first reply."
)


def _request_body(command: Command[Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "idempotency_key": {"type": "string", "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH,
                            "description": "Repeat the line safely: same key, one effect (as `Idempotency-Key`)"},
        "command": ({"$ref": f"#/components/schemas/{command.body.__name__}"} if command.body is not None
                    else {"type": "object", "maxProperties": 0, "description": "this command takes no body"}),
    }
    for name in command.params:
        properties[name] = {"type": "string", "description": f"the `{name}` path parameter of the single route"}
    line = {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [*(["command"] if command.body is not None else []), *command.params]}
    return {"requestBody": {"required": True, "description": "One command per line (NDJSON).",
                            "content": {NDJSON: {"schema": line}}}}


def _batch_responses(command: Command[Any], reply_model: type[Any] | None) -> dict[int | str, dict[str, Any]]:
    body: dict[str, Any] = {"description": "the single command's reply, or its problem+json document"}
    if reply_model is not None:
        body["oneOf"] = [{"$ref": f"#/components/schemas/{reply_model.__name__}"},
                         {"type": "object", "description": "problem+json (RFC 9457)"}]
    answer = {"type": "object", "required": ["line", "idempotency_key", "status", "body"], "properties": {
        "line": {"type": "integer", "minimum": 1, "description": "the input line answered (1-based)"},
        "idempotency_key": {"type": ["string", "null"]},
        "status": {"type": "integer", "description": "the HTTP status the single command would have answered"},
        "body": body,
    }}
    return {
        200: {"description": "One answer line per input line, in order", "content": {NDJSON: {"schema": answer}}},
        413: {"description": f"More lines than the batch limit (`max_lines`) or a body over the byte limit "
                             f"(problem+json, `{BODY_TOO_LARGE.uri}`)"},
        415: {"description": f"Not {NDJSON} (problem+json)"},
    }
