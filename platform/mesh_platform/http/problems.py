"""RFC 9457 problem+json responses; domain errors become problems here, at the edge and nowhere else."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mesh_platform.errors import Conflict, DomainError, NotFound, RuleViolated

PROBLEM_JSON = "application/problem+json"

_STATUS_OF: dict[type[DomainError], int] = {NotFound: 404, Conflict: 409, RuleViolated: 422}


def problem_response(
    status: int, title: str, detail: str, *, errors: list[dict[str, Any]] | None = None, instance: str | None = None
) -> JSONResponse:
    """A problem+json response; ``errors`` lists ``{"field", "reason"}`` pairs."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def status_of(error: DomainError) -> int:
    """The HTTP status a domain error maps to."""
    for kind, status in _STATUS_OF.items():
        if isinstance(error, kind):
            return status
    return 400


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` answer as problem+json naming the field and the reason."""

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, error: DomainError) -> JSONResponse:
        errors = [{"field": error.field, "reason": error.reason}] if error.field else None
        return problem_response(status_of(error), error.title, error.reason, errors=errors, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(part) for part in item["loc"] if part != "body") or "body", "reason": item["msg"]}
            for item in error.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return problem_response(422, "Invalid request", detail, errors=errors, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        response = problem_response(
            error.status_code, _title(error.status_code), str(error.detail), instance=request.url.path
        )
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
