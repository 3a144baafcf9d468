"""The OpenAPI document tells the truth about errors: every error response is ``application/problem+json``.

FastAPI documents a ``422 HTTPValidationError`` that no route of ours ever sends (our handlers answer RFC 9457
problems). :func:`document_problems` rewrites the generated document once: each error response carries the shared
``Problem`` schema and lists the stable ``type`` URIs it may carry; every operation documents the ``500`` problem,
and those with a body the ``413`` and ``400`` (body limits) problems.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from mesh_platform.http.problems import PROBLEM_JSON, PROBLEM_TYPE_PREFIX, PROBLEM_TYPES

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem. `type` is a stable URI (`" + PROBLEM_TYPE_PREFIX + "<name>`) clients can "
    "branch on; `errors` names each field and the reason.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference",
                 "examples": [kind.uri for kind in PROBLEM_TYPES]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "format": "uri-reference"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "required": ["field", "reason"],
                      "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}},
        },
        "correlation_id": {"type": "string", "description": "Finds an internal error in the service's log."},
        "max_bytes": {"type": "integer", "description": "The body-size limit (`body-too-large`)."},
        "max_depth": {"type": "integer", "description": "The JSON nesting limit (`json-too-deep`)."},
    },
    "additionalProperties": True,
}


def _types_of(status: str) -> list[str]:
    return [f"`{kind.uri}` ({kind.description})" for kind in PROBLEM_TYPES if str(kind.status) == status]


def _is_error(status: str) -> bool:
    return status == "default" or status[:1] in ("4", "5")


def _describes_a_problem(response: dict[str, Any]) -> bool:
    """Whether a documented error response is FastAPI's default (or bare) rather than a deliberate JSON body."""
    content = response.get("content")
    if not content or PROBLEM_JSON in content:
        return True
    if set(content) != {"application/json"}:
        return False
    schema = content["application/json"].get("schema") or {}
    return not schema or schema.get("$ref", "").rsplit("/", 1)[-1] in _FASTAPI_VALIDATION_SCHEMAS


def _problem_response(status: str, description: str | None) -> dict[str, Any]:
    types = _types_of(status)
    text = description or "A problem"
    if types:
        text += ". Problem types: " + "; ".join(types)
    return {"description": text, "content": {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}}


def problem_documented(openapi: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``openapi`` whose error responses are problem+json with their type URIs."""
    document = copy.deepcopy(openapi)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    for item in document.get("paths", {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if operation is not None:
                _document_operation(operation)
    return document


def _document_operation(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status, response in list(responses.items()):
        if not _is_error(status) or not _describes_a_problem(response):
            continue
        description = response.get("description")
        if description == "Validation Error":
            description = "The body or a parameter does not match the schema"
        responses[status] = _problem_response(status, description)
    if "requestBody" in operation:
        responses.setdefault("400", _problem_response("400", "Malformed request"))
        responses.setdefault("413", _problem_response("413", "The body is larger than the service accepts"))
    responses.setdefault("500", _problem_response("500", "Unexpected failure; nothing about it is disclosed"))


def document_problems(app: FastAPI) -> None:
    """Make ``app``'s ``/openapi.json`` document every error as problem+json (once, on first request)."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    documented: dict[str, Any] | None = None

    def openapi() -> dict[str, Any]:
        nonlocal documented
        if documented is None:
            documented = problem_documented(generate())
            app.openapi_schema = documented
        return documented

    app.openapi = openapi  # type: ignore[method-assign]
