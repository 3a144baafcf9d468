"""Read-only HTTP output ports of data products (DESIGN §4).

``GET /data-products/<product>/v<major>`` lists records with keyset cursor pagination, filters on documented
fields, ``fields=`` projection and ETags; ``GET .../<key>`` reads one record. Every read needs a bearer token;
personal data is masked unless the token holds the product's PII scope.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response

from mesh_platform.auth.masking import mask_personal_data
from mesh_platform.auth.tokens import READ_SCOPE, AccessToken, TokenIssuer, pii_scope
from mesh_platform.http.bearer import bearer_token
from mesh_platform.http.pagination import InvalidCursor, decode_cursor, encode_cursor

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


@dataclass(frozen=True)
class Deprecation:
    """A major version on its way out: announced with ``Deprecation``, ``Sunset`` and a successor ``Link``."""

    sunset_on: date
    successor_path: str


@dataclass
class DataProductPort:
    """One major version of one data product, served over HTTP."""

    domain: str
    product: str
    major: int
    key_field: str
    source: DataProductSource
    filters: dict[str, FilterParser] = field(default_factory=dict)
    pii_fields: frozenset[str] = frozenset()
    all_fields: frozenset[str] = frozenset()
    deprecation: Deprecation | None = None

    @property
    def path(self) -> str:
        """The port's URL path."""
        return f"/data-products/{self.product}/v{self.major}"


ReaderObserver = Callable[[str, DataProductPort], None]
"""Told about each reader identity of a port (the catalog learns its HTTP consumers this way)."""


def data_product_router(
    port: DataProductPort, issuer: TokenIssuer, on_reader: ReaderObserver | None = None
) -> APIRouter:
    """The list and item routes of ``port``."""
    router = APIRouter(tags=[f"data product: {port.product} v{port.major}"])

    verify = bearer_token(issuer, READ_SCOPE)

    def reader(token: Annotated[AccessToken, Depends(verify)]) -> AccessToken:
        if on_reader:
            on_reader(token.subject, port)
        return token

    reader_token = Annotated[AccessToken, Depends(reader)]

    def present(record: dict[str, Any], token: AccessToken, fields: list[str] | None) -> dict[str, Any]:
        if port.pii_fields and not token.allows(pii_scope(port.domain, port.product)):
            record = mask_personal_data(record, port.pii_fields)
        if fields:
            record = {name: record.get(name) for name in fields}
        return record

    def parse_fields(fields: str | None) -> list[str] | None:
        if not fields:
            return None
        names = [name.strip() for name in fields.split(",") if name.strip()]
        unknown = [name for name in names if port.all_fields and name not in port.all_fields]
        if unknown:
            raise HTTPException(400, f"fields: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(port.all_fields))}")
        return names

    def answer(request: Request, body: Any, if_none_match: str | None) -> Response:
        payload = json.dumps(body, separators=(",", ":"), default=str).encode()
        etag = '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if port.deprecation:
            headers["Deprecation"] = "true"
            headers["Sunset"] = _http_date(port.deprecation.sunset_on)
            headers["Link"] = f'<{port.deprecation.successor_path}>; rel="successor-version"'
        if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
            return Response(status_code=304, headers=headers)
        return Response(payload, media_type="application/json", headers=headers)

    @router.get(port.path, summary=f"List {port.product} (v{port.major})")
    def list_records(
        request: Request,
        token: reader_token,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        cursor: str | None = None,
        fields: str | None = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        filters = _parse_filters(request, port)
        try:
            after = decode_cursor(cursor) if cursor else None
        except InvalidCursor as e:
            raise HTTPException(400, f"cursor: {e}") from e
        projection = parse_fields(fields)
        records = port.source.page(filters, after, limit + 1)
        has_more = len(records) > limit
        records = records[:limit]
        body = {
            "items": [present(record, token, projection) for record in records],
            "next_cursor": encode_cursor(str(records[-1][port.key_field])) if has_more else None,
        }
        return answer(request, body, if_none_match)

    @router.get(port.path + "/{key}", summary=f"Read one of {port.product} (v{port.major})")
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
        return answer(request, present(record, token, parse_fields(fields)), if_none_match)

    return router


def _parse_filters(request: Request, port: DataProductPort) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for name, raw in request.query_params.items():
        if name in RESERVED_PARAMS:
            continue
        parse = port.filters.get(name)
        if parse is None:
            known = ", ".join(sorted(port.filters)) or "none"
            raise HTTPException(400, f"{name}: not a filter of {port.product}; filters: {known}")
        try:
            filters[name] = parse(raw)
        except ValueError as e:
            raise HTTPException(400, f"{name}: invalid value {raw!r}: {e}") from e
    return filters


def _http_date(day: date) -> str:
    from datetime import UTC, datetime
    from email.utils import format_datetime

    return format_datetime(datetime(day.year, day.month, day.day, tzinfo=UTC), usegmt=True)
