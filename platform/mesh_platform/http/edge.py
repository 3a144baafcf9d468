"""The HTTP edge every service shares: problem+json errors, request limits, no leaked internals, honest OpenAPI.

Domain services get it from :class:`~mesh_platform.runtime.DomainService`; the catalog calls
:func:`install_http_edge` itself.
"""

from __future__ import annotations

from fastapi import FastAPI

from mesh_platform.http.limits import RequestLimits, RequestLimitsMiddleware
from mesh_platform.http.openapi_problems import document_problems
from mesh_platform.http.pagination import CursorCodec
from mesh_platform.http.problems import install_problem_handlers
from mesh_platform.http.unexpected_errors import UnexpectedErrorMiddleware
from mesh_platform.settings import ServiceSettings


def request_limits(settings: ServiceSettings) -> RequestLimits:
    """The request limits ``settings`` configure (``MESH_MAX_BODY_BYTES``, ``MESH_MAX_JSON_DEPTH``)."""
    return RequestLimits(max_body_bytes=settings.max_body_bytes, max_json_depth=settings.max_json_depth)


def cursor_codec(settings: ServiceSettings) -> CursorCodec:
    """The codec that signs this service's list cursors with ``MESH_CURSOR_SECRET``."""
    return CursorCodec(settings.cursor_secret.get_secret_value().encode())


def install_http_edge(app: FastAPI, settings: ServiceSettings) -> None:
    """Problem handlers, body-size and JSON-depth limits, 500s without internals, problem+json in OpenAPI.

    Call it before adding other middlewares, so request metrics (added later, hence outside) count the 500s and
    413s answered here. The error middleware wraps the limits, so every answer carries its correlation id.
    """
    install_problem_handlers(app)
    app.add_middleware(RequestLimitsMiddleware, limits=request_limits(settings))
    app.add_middleware(UnexpectedErrorMiddleware)
    document_problems(app)
