"""Request limits at the edge of every service: body size and JSON nesting depth.

A plain ASGI middleware reads the body before any route does, so the limit holds for streamed (chunked) bodies as
well as for those that declare a ``Content-Length``: a body over the limit is a ``413`` problem naming the limit,
JSON nested deeper than allowed is a ``400`` problem — never a ``RecursionError`` deep inside a parser or encoder.
Routes still see the body unchanged: the middleware replays it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mesh_platform.http.problems import BODY_TOO_LARGE, JSON_TOO_DEEP, problem_response

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_JSON_DEPTH = 64


@dataclass(frozen=True)
class RequestLimits:
    """How large a request body may be and how deeply its JSON may nest."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1 or self.max_json_depth < 1:
            raise ValueError("request limits must be positive")


# Escapes go first (each backslash takes the next byte), so what remains of a string is `"` + no `"` + `"`: both
# patterns scan in linear time, whatever the input.
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKET = bytes(byte for byte in range(256) if byte not in b"[]{}")
# Openers become +1 and closers -1 as signed bytes, so the running sum of the brackets is the nesting depth.
_BRACKET_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in the JSON text ``body`` (brackets inside strings don't count).

    For text that is not valid JSON the figure is approximate; a parser refuses such text anyway.
    """
    structure = _STRING.sub(b"", _ESCAPE.sub(b"", body)).translate(_BRACKET_STEP, _NOT_BRACKET)
    return max(accumulate(memoryview(structure).cast("b")), default=0)


def json_too_deep(body: bytes, max_depth: int) -> bool:
    """Whether ``body`` nests deeper than ``max_depth``; cheap when it has fewer openers than that in all."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False
    return json_depth(body) > max_depth


def _is_json(headers: Headers) -> bool:
    # FastAPI reads a body without Content-Type as JSON too.
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return not media_type or media_type == "application/json" or media_type.endswith("+json")


class RequestLimitsMiddleware:
    """Refuses bodies over ``limits.max_body_bytes`` (413) and JSON nested over ``limits.max_json_depth`` (400).

    ``Content-Length`` over the limit is refused before a byte is read; a body without one (chunked) is counted
    while it arrives and refused as soon as it passes the limit, so no more than the limit is ever held in memory.
    """

    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.limits.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its body: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and _is_json(headers) and json_too_deep(body, self.limits.max_json_depth):
            response = problem_response(
                400, JSON_TOO_DEEP.title,
                f"body: JSON nests deeper than {self.limits.max_json_depth} levels of arrays and objects",
                kind=JSON_TOO_DEEP, errors=[{"field": "body", "reason": "nested too deeply"}],
                instance=scope.get("path"), extensions={"max_depth": self.limits.max_json_depth},
            )
            await response(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: disconnect notices

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.max_body_bytes
        response = problem_response(
            413, BODY_TOO_LARGE.title, f"body: larger than the limit of {limit} bytes",
            kind=BODY_TOO_LARGE, errors=[{"field": "body", "reason": f"more than {limit} bytes"}],
            instance=scope.get("path"), extensions={"max_bytes": limit},
            # The rest of the body is never read: the connection cannot carry another request.
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
