"""The HTTP truth of a data-product read: ETags with RFC 9110 conditional requests, RFC 8288 ``Link`` headers,
RFC 9745 ``Deprecation`` and RFC 8594 ``Sunset``.

Kept apart from the routes so each header rule is one small, tested function.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

from fastapi import Response

# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text (commas allowed).
_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


def entity_tag(payload: bytes) -> str:
    """The strong entity tag of a representation: a digest of its bytes."""
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` matches the current ``etag``, so a GET answers ``304 Not Modified``.

    RFC 9110 §13.1.2: ``*`` matches any current representation; otherwise the header is a list of entity tags
    compared weakly (``W/"x"`` matches ``"x"``). A malformed header matches nothing: the caller gets the full answer.
    """
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = _opaque(etag)
    return any(tag == opaque for tag in _entity_tags(if_none_match))


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/").strip('"')


def _entity_tags(header: str) -> list[str]:
    tags: list[str] = []
    position = 0
    while position < len(header):
        if not header[position:].strip(" \t,"):
            break
        found = _ENTITY_TAG.match(header, position)
        if found is None:
            return []  # not a list of entity tags: ignore the whole field
        tags.append(found.group(2))
        position = found.end()
    return tags


@dataclass(frozen=True)
class Deprecation:
    """A major version on its way out: announced with ``Deprecation``, ``Sunset`` and a successor ``Link``.

    ``deprecated_on`` is the contract's ``deprecationDate``; a contract that declares none is announced as
    deprecated since the epoch (``@0``): deprecated, date not declared.
    """

    sunset_on: date
    successor_path: str
    deprecated_on: date | None = None

    def headers(self) -> dict[str, str]:
        """``Deprecation`` (RFC 9745 date form, ``@<unix seconds>``) and ``Sunset`` (RFC 8594, an HTTP date)."""
        since = _midnight(self.deprecated_on) if self.deprecated_on else datetime.fromtimestamp(0, UTC)
        return {"Deprecation": f"@{int(since.timestamp())}",
                "Sunset": format_datetime(_midnight(self.sunset_on), usegmt=True)}

    def link(self) -> tuple[str, str]:
        """The ``Link`` to the successor major."""
        return (self.successor_path, "successor-version")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def link_header(links: Iterable[tuple[str, str]]) -> str | None:
    """An RFC 8288 ``Link`` field value from ``(target, relation)`` pairs, or None when there are none."""
    values = [f'<{target}>; rel="{relation}"' for target, relation in links]
    return ", ".join(values) if values else None


def conditional_json(
    body: Any,
    if_none_match: str | None,
    *,
    headers: dict[str, str] | None = None,
    links: Iterable[tuple[str, str]] = (),
) -> Response:
    """``body`` as JSON with its ETag, or ``304 Not Modified`` (same headers, no body) when ``If-None-Match`` matches."""
    payload = json.dumps(body, separators=(",", ":"), default=str).encode()
    etag = entity_tag(payload)
    all_headers = {"ETag": etag, "Cache-Control": "no-cache", **(headers or {})}
    link = link_header(links)
    if link:
        all_headers["Link"] = link
    if none_match(if_none_match, etag):
        return Response(status_code=304, headers=all_headers)
    return Response(payload, media_type="application/json", headers=all_headers)


_STRING = {"schema": {"type": "string"}}
_VALIDATORS = {
    "ETag": {"description": "Strong entity tag of the representation; send it back in `If-None-Match`", **_STRING},
    "Cache-Control": {"description": "`no-cache`: revalidate with `If-None-Match` before reuse", **_STRING},
}
_LIFECYCLE = {
    "Link": {"description": 'RFC 8288: `rel="next"` (the next page of a list) and, on a deprecated major, '
             '`rel="successor-version"`', **_STRING},
    "Deprecation": {"description": "RFC 9745, on a deprecated major only: `@<unix seconds>` since when", **_STRING},
    "Sunset": {"description": "RFC 8594, on a deprecated major only: the HTTP date it stops answering", **_STRING},
}
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The current representation", "headers": {**_VALIDATORS, **_LIFECYCLE}},
    304: {"description": "Not Modified: `If-None-Match` matched the current ETag (a listed, weak or `*` tag)",
          "headers": {**_VALIDATORS, **_LIFECYCLE}},
}
"""OpenAPI responses of a data-product read: the headers it sends and the conditional 304."""
