"""Opaque cursors for keyset pagination of data-product lists."""

from __future__ import annotations

import base64
import json


class InvalidCursor(ValueError):
    """A cursor that this service did not issue."""


def encode_cursor(last_key: str) -> str:
    """The cursor that continues after ``last_key``."""
    return base64.urlsafe_b64encode(json.dumps({"after": last_key}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The key a cursor continues after; raises :class:`InvalidCursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = value["after"]
    except (ValueError, KeyError, TypeError) as e:
        raise InvalidCursor("cursor is not one this service issued; start again without it") from e
    if not isinstance(after, str):
        raise InvalidCursor("cursor is not one this service issued; start again without it")
    return after
