"""RFC 9457 problem+json responses; domain errors become problems here, at the edge and nowhere else.

Every problem carries a stable ``type`` URI from :data:`PROBLEM_TYPES` (``urn:problem-type:octagon-mesh:<name>``),
so clients branch on the type, not on the wording of ``title`` or ``detail``. The OpenAPI document lists the same
types (see :mod:`mesh_platform.http.openapi_problems`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mesh_platform.errors import Conflict, DomainError, NotFound, RuleViolated

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:problem-type:octagon-mesh:"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its stable URI, its status and what it means (documented in OpenAPI)."""

    name: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        """The stable ``type`` URI of this kind of problem."""
        return PROBLEM_TYPE_PREFIX + self.name


BAD_REQUEST = ProblemType("bad-request", 400, "Bad request",
                          "A query parameter is malformed or unknown (a filter, `fields=`, a header); `errors` names it.")
INVALID_CURSOR = ProblemType("invalid-cursor", 400, "Invalid cursor",
                             "The `cursor` was not issued by this service for this list (tampered, foreign or too "
                             "long); start again without it.")
JSON_TOO_DEEP = ProblemType("json-too-deep", 400, "JSON nested too deeply",
                            "The JSON body nests arrays and objects deeper than the service accepts.")
UNAUTHENTICATED = ProblemType("unauthenticated", 401, "Unauthorized",
                              "No valid bearer token; `WWW-Authenticate` says what is expected.")
FORBIDDEN = ProblemType("forbidden", 403, "Forbidden", "The bearer token lacks the scope this route needs.")
NOT_FOUND = ProblemType("not-found", 404, "Not found", "The resource or a thing the request names does not exist.")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", 405, "Method not allowed", "The route does not take this method.")
NOT_ACCEPTABLE = ProblemType("not-acceptable", 406, "Not acceptable", "No representation matches `Accept`.")
CONFLICT = ProblemType("conflict", 409, "Conflict",
                       "The request clashes with the current state (a duplicate, a reused Idempotency-Key...).")
BODY_TOO_LARGE = ProblemType("body-too-large", 413, "Request body too large",
                             "The request body is larger than the service accepts; `max_bytes` gives the limit.")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", 415, "Unsupported media type",
                                     "The body's Content-Type is not one the route reads.")
INVALID_REQUEST = ProblemType("invalid-request", 422, "Invalid request",
                              "The body or a parameter does not match the documented schema; `errors` lists each "
                              "field and the reason.")
RULE_VIOLATED = ProblemType("rule-violated", 422, "Business rule violated",
                            "The command breaks a business rule of the domain; `errors` names the field.")
GOVERNANCE_REFUSED = ProblemType("governance-refused", 422, "Registration refused by governance",
                                 "The contract breaks a governance policy of the catalog; `errors` names each field "
                                 "and the policy, `verdict` has the whole assessment.")
INTERNAL_ERROR = ProblemType("internal-error", 500, "Internal server error",
                             "The service failed unexpectedly; `correlation_id` finds the error in its log.")
UNAVAILABLE = ProblemType("unavailable", 503, "Service unavailable",
                          "A dependency (store, broker) cannot be reached; retry later.")

PROBLEM_TYPES: tuple[ProblemType, ...] = (
    BAD_REQUEST, INVALID_CURSOR, JSON_TOO_DEEP, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE, CONFLICT, BODY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST, RULE_VIOLATED,
    GOVERNANCE_REFUSED, INTERNAL_ERROR, UNAVAILABLE,
)
_GENERIC_BY_STATUS: dict[int, ProblemType] = {
    kind.status: kind
    for kind in (BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, NOT_ACCEPTABLE, CONFLICT,
                 BODY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST, INTERNAL_ERROR, UNAVAILABLE)
}
_DOMAIN_ERRORS: dict[type[DomainError], ProblemType] = {NotFound: NOT_FOUND, Conflict: CONFLICT,
                                                        RuleViolated: RULE_VIOLATED}


def problem_type_of(status: int) -> ProblemType | None:
    """The generic problem type of an HTTP status, or None (then ``type`` is ``about:blank``)."""
    return _GENERIC_BY_STATUS.get(status)


class ProblemError(StarletteHTTPException):
    """An HTTP error of a known :class:`ProblemType`, raised at the edge; ``field`` names what was wrong."""

    def __init__(
        self,
        kind: ProblemType,
        detail: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(kind.status, detail, headers=dict(headers) if headers else None)
        self.kind = kind
        self.field = field
        self.extensions = dict(extensions or {})


def problem_body(
    status: int,
    title: str,
    detail: str,
    *,
    kind: ProblemType | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The members of a problem document (``kind`` defaults to the generic type of ``status``)."""
    kind = kind or problem_type_of(status)
    body: dict[str, Any] = {"type": kind.uri if kind else "about:blank", "title": title, "status": status,
                            "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    return body


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    kind: ProblemType | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response; ``errors`` lists ``{"field", "reason"}`` pairs."""
    body = problem_body(status, title, detail, kind=kind, errors=errors, instance=instance, extensions=extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def status_of(error: DomainError) -> int:
    """The HTTP status a domain error maps to."""
    return _domain_problem(error).status


def _domain_problem(error: DomainError) -> ProblemType:
    for kind, problem in _DOMAIN_ERRORS.items():
        if isinstance(error, kind):
            return problem
    return BAD_REQUEST


def domain_problem_body(error: DomainError, *, instance: str | None = None) -> dict[str, Any]:
    """The problem document a domain error answers with (the batch routes write it on the line it failed)."""
    kind = _domain_problem(error)
    errors = [{"field": error.field, "reason": error.reason}] if error.field else None
    return problem_body(kind.status, error.title, error.reason, kind=kind, errors=errors, instance=instance)


def invalid_request_body(items: Sequence[Any], *, instance: str | None = None) -> dict[str, Any]:
    """The ``422`` problem document of pydantic validation errors ``items`` (``loc`` without its ``body`` part)."""
    errors = [
        {"field": ".".join(str(part) for part in item["loc"] if part != "body") or "body", "reason": item["msg"]}
        for item in items
    ]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem_body(422, INVALID_REQUEST.title, detail, kind=INVALID_REQUEST, errors=errors, instance=instance)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` answer as problem+json naming the field and the reason."""

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, error: DomainError) -> JSONResponse:
        body = domain_problem_body(error, instance=request.url.path)
        return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        body = invalid_request_body(error.errors(), instance=request.url.path)
        return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if isinstance(error, ProblemError):
            reason = error.detail.removeprefix(f"{error.field}: ")
            errors = [{"field": error.field, "reason": reason}] if error.field else None
            return problem_response(error.status_code, error.kind.title, error.detail, kind=error.kind,
                                    errors=errors, instance=request.url.path, extensions=error.extensions,
                                    headers=error.headers)
        return problem_response(error.status_code, _title(error.status_code), str(error.detail),
                                instance=request.url.path, headers=error.headers)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
