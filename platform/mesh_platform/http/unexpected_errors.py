"""Unexpected errors answer as a problem+json 500 without internals; the log keeps them under a correlation id.

Every request gets a correlation id: the caller's ``X-Request-ID`` when it is a sane token, else a fresh one. It is
echoed in ``X-Request-ID`` on every response and carried by a 500 problem as ``correlation_id``, so an operator
finds the stack trace in the service's log while the caller learns nothing of the code, the SQL or the data.
"""

from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mesh_platform.http.problems import INTERNAL_ERROR, problem_response

CORRELATION_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

log = logging.getLogger("mesh_platform.http.errors")


def correlation_id(scope: Scope) -> str | None:
    """The correlation id of the request in ``scope`` (set by :class:`UnexpectedErrorMiddleware`)."""
    result: str | None = scope.get("state", {}).get("correlation_id")
    return result


class UnexpectedErrorMiddleware:
    """Turns any exception no handler claimed into a 500 problem that names only the correlation id.

    Add it first (innermost of the middlewares) so the request metrics count the 500 it answers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get(CORRELATION_HEADER, "")
        identifier = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["correlation_id"] = identifier
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[CORRELATION_HEADER] = identifier
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unexpected error answering %s %s [correlation_id=%s]",
                          scope.get("method"), scope.get("path"), identifier)
            if started:
                raise  # part of the response is out: only the server can end the connection
            response = problem_response(
                500, INTERNAL_ERROR.title,
                f"the service failed unexpectedly; report correlation id {identifier} to its operators",
                kind=INTERNAL_ERROR, instance=scope.get("path"), extensions={"correlation_id": identifier},
            )
            await response(scope, receive, send_with_id)
