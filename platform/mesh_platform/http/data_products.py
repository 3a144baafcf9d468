"""Read-only HTTP output ports of data products (DESIGN §4).

``GET /data-products/<product>/v<major>`` lists records with keyset cursor pagination, filters on documented
fields, ``fields=`` projection and ETags; ``GET .../<key>`` reads one record. Every read needs a bearer token with
``read:<domain>.<product>.v<major>``; personal data is masked unless the token also holds ``pii:<domain>.<product>``.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response

from mesh_platform.auth.masking import PersonalData
from mesh_platform.auth.scopes import pii_scope, read_scope
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.contracts.json_schema import PayloadValidator
from mesh_platform.http.bearer import AUTH_RESPONSES, Authorizer
from mesh_platform.http.pagination import CursorCodec, InvalidCursor
from mesh_platform.http.problems import BAD_REQUEST, INVALID_CURSOR, ProblemError
from mesh_platform.http.representations import READ_RESPONSES, Deprecation, conditional_json

MAX_PAGE = 1000
RESERVED_PARAMS = {"limit", "cursor", "fields"}


class DataProductSource(Protocol):
    """Where a port reads its records from (an adapter over the domain's own store)."""

    def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` records ordered by key, after key ``after``, matching ``filters``."""
        ...

    def get(self, key: str) -> dict[str, Any] | None:
        """The record with ``key``, or None."""
        ...


FilterParser = Callable[[str], Any]
"""Parses a filter's query-string value (``str``, ``int``, ``date.fromisoformat``...); ValueError when invalid."""


@dataclass
class DataProductPort:
    """One major version of one data product, served over HTTP."""

    domain: str
    product: str
    major: int
    key_field: str
    source: DataProductSource
    filters: dict[str, FilterParser] = field(default_factory=dict)
    filter_schemas: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    pii_fields: frozenset[str] = frozenset()
    all_fields: frozenset[str] = frozenset()
    deprecation: Deprecation | None = None

    def filter_schema(self, name: str) -> dict[str, Any]:
        """The JSON Schema of filter ``name``'s value (from the contract); a plain string when none was given."""
        return self.filter_schemas.get(name, {"type": "string"})

    @property
    def path(self) -> str:
        """The port's URL path."""
        return f"/data-products/{self.product}/v{self.major}"

    @property
    def read_scope(self) -> str:
        """The scope a reader's token must hold."""
        return read_scope(self.domain, self.product, self.major)

    @property
    def personal_data(self) -> PersonalData:
        """The port's personal-data fields and the scope that unmasks them."""
        return PersonalData(pii_scope(self.domain, self.product), self.pii_fields)


ReaderObserver = Callable[[str, DataProductPort], None]
"""Told about each reader identity of a port (the catalog learns its HTTP consumers this way)."""


def data_product_router(
    port: DataProductPort,
    authorizer: Authorizer,
    on_reader: ReaderObserver | None = None,
    cursor_codec: CursorCodec | None = None,
) -> APIRouter:
    """The list and item routes of ``port``; ``cursor_codec`` signs its cursors (a per-process key by default).

    A page that has a successor carries ``Link: <...>; rel="next"``; a deprecated major carries ``Deprecation``,
    ``Sunset`` and ``Link: <...>; rel="successor-version"``; ``If-None-Match`` answers ``304`` (RFC 9110).
    """
    router = APIRouter(tags=[f"data product: {port.product} v{port.major}"], responses=AUTH_RESPONSES)

    verify = authorizer.require(port.read_scope)

    def reader(token: Annotated[AccessToken, Depends(verify)]) -> AccessToken:
        if on_reader:
            on_reader(token.subject, port)
        return token

    reader_token = Annotated[AccessToken, Depends(reader)]

    def present(record: dict[str, Any], token: AccessToken, fields: list[str] | None) -> dict[str, Any]:
        record = port.personal_data.shown_to(record, token)
        if fields:
            record = {name: record.get(name) for name in fields}
        return record

    def parse_fields(fields: str | None) -> list[str] | None:
        if not fields:
            return None
        names = [name.strip() for name in fields.split(",") if name.strip()]
        unknown = [name for name in names if port.all_fields and name not in port.all_fields]
        if unknown:
            raise ProblemError(BAD_REQUEST, f"fields: unknown field(s) {', '.join(unknown)}; known: "
                               f"{', '.join(sorted(port.all_fields))}", field="fields")
        return names

    cursors = cursor_codec or CursorCodec.ephemeral()
    cursor_scope = f"{port.domain}{port.path}"  # a cursor of another list (or service) is foreign here

    def answer(body: Any, if_none_match: str | None, next_page: str | None = None) -> Response:
        links = [(next_page, "next")] if next_page else []
        if port.deprecation:
            links.append(port.deprecation.link())
        headers = port.deprecation.headers() if port.deprecation else {}
        return conditional_json(body, if_none_match, headers=headers, links=links)

    read_filters = _FilterReaders(port)

    @router.get(
        port.path,
        summary=f"List {port.product} (v{port.major})",
        responses=READ_RESPONSES,
        # The filters are read from the query string by name (they differ per port), so FastAPI cannot see them:
        # they are documented here, each with its contract field's type, format and allowed values.
        openapi_extra={"parameters": _filter_parameters(port)},
    )
    def list_records(
        request: Request,
        token: reader_token,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        cursor: str | None = None,
        fields: str | None = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        filters = read_filters(request)
        try:
            after = cursors.decode(cursor, scope=cursor_scope) if cursor else None
        except InvalidCursor as e:
            raise ProblemError(INVALID_CURSOR, f"cursor: {e}", field="cursor") from e
        projection = parse_fields(fields)
        records = port.source.page(filters, after, limit + 1)
        has_more = len(records) > limit
        records = records[:limit]
        next_cursor = cursors.encode(str(records[-1][port.key_field]), scope=cursor_scope) if has_more else None
        body = {"items": [present(record, token, projection) for record in records], "next_cursor": next_cursor}
        next_page = request.url.include_query_params(cursor=next_cursor) if next_cursor else None
        return answer(body, if_none_match, f"{next_page.path}?{next_page.query}" if next_page else None)

    @router.get(port.path + "/{key}", summary=f"Read one of {port.product} (v{port.major})", responses=READ_RESPONSES)
    def read_record(
        request: Request,
        key: str,
        token: reader_token,
        fields: str | None = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        record = port.source.get(key)
        if record is None:
            raise HTTPException(404, f"{port.key_field}: no {port.product} record with key {key!r}")
        return answer(present(record, token, parse_fields(fields)), if_none_match)

    return router


def _filter_parameters(port: DataProductPort) -> list[dict[str, Any]]:
    """The OpenAPI query parameters of ``port``'s filters (equality matches on contract fields)."""
    parameters = []
    for name in sorted(port.filters):
        schema = dict(port.filter_schema(name))
        description = schema.pop("description", None)
        schema.pop("examples", None)  # examples of the record field; a parameter's own example goes beside it
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"Only records whose `{name}` equals this value." + (f" {description}" if description else ""),
            "schema": schema,
        }
        parameters.append(parameter)
    return parameters


class _FilterReaders:
    """Reads a list request's filters: each known, parsed by its parser and checked against its contract schema."""

    def __init__(self, port: DataProductPort) -> None:
        self.port = port
        self.validators = {
            name: PayloadValidator(f"{port.product} filter {name}", port.filter_schema(name)) for name in port.filters
        }

    def __call__(self, request: Request) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        for name, raw in request.query_params.items():
            if name in RESERVED_PARAMS:
                continue
            filters[name] = self.read(name, raw)
        return filters

    def read(self, name: str, raw: str) -> Any:
        """The value of filter ``name`` given as ``raw``; a 400 problem naming the filter when unknown or invalid."""
        parse = self.port.filters.get(name)
        if parse is None:
            known = ", ".join(sorted(self.port.filters)) or "none"
            raise ProblemError(BAD_REQUEST, f"{name}: not a filter of {self.port.product}; filters: {known}", field=name)
        allowed = self.port.filter_schema(name).get("enum")
        if allowed is not None and raw not in [str(value) for value in allowed]:
            raise ProblemError(
                BAD_REQUEST,
                f"{name}: invalid value {raw!r}: must be one of {', '.join(str(value) for value in allowed)}",
                field=name,
            )
        try:
            value = parse(raw)
        except ValueError as e:
            raise ProblemError(BAD_REQUEST, f"{name}: invalid value {raw!r}: {e}", field=name) from e
        # Strings (dates and moments included) are checked as sent, other types once parsed (``?round=3`` -> 3).
        checked = raw if self.port.filter_schema(name).get("type") == "string" else value
        try:
            self.validators[name](checked)
        except ValueError as e:
            reason = getattr(e, "reason", str(e))
            raise ProblemError(BAD_REQUEST, f"{name}: invalid value {raw!r}: {reason}", field=name) from e
        return value
