"""Signed opaque cursors for keyset pagination of data-product lists.

A cursor is ``<payload>.<tag>``: the payload (base64url JSON) names the key the next page continues after, the tag
is an HMAC-SHA256 over the list it belongs to and the payload, keyed with the service's cursor secret. A cursor that
was altered, made up, or issued by another service or for another list fails the check, so a caller can neither
forge a position nor learn anything from the format (it is opaque and may change).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets

MAX_CURSOR_LENGTH = 512
"""Longer cursors are refused before any decoding; one this service issues is far shorter for sane keys."""

_TAG_BYTES = 16


class InvalidCursor(ValueError):
    """A cursor that this service did not issue for this list."""


class CursorCodec:
    """Issues and checks the cursors of one service; ``secret`` comes from its settings (``MESH_CURSOR_SECRET``)."""

    def __init__(self, secret: bytes, *, max_length: int = MAX_CURSOR_LENGTH) -> None:
        if len(secret) < 16:
            raise ValueError("a cursor secret needs at least 16 bytes")
        self._secret = secret
        self.max_length = max_length

    @classmethod
    def ephemeral(cls) -> CursorCodec:
        """A codec with a random secret: its cursors stop working when the process ends."""
        return cls(secrets.token_bytes(32))

    def encode(self, last_key: str, *, scope: str) -> str:
        """The cursor that continues the list ``scope`` after ``last_key``."""
        payload = _b64(json.dumps({"after": last_key}, separators=(",", ":")).encode())
        return f"{payload}.{_b64(self._tag(scope, payload))}"

    def decode(self, cursor: str, *, scope: str) -> str:
        """The key a cursor of the list ``scope`` continues after; raises :class:`InvalidCursor`."""
        if len(cursor) > self.max_length:
            raise InvalidCursor(f"longer than {self.max_length} characters; start again without it")
        payload, _, tag = cursor.partition(".")
        try:
            valid = hmac.compare_digest(_unb64(tag), self._tag(scope, payload))
        except (ValueError, binascii.Error):
            valid = False
        if not valid:
            raise InvalidCursor("not one this service issued for this list; start again without it")
        try:
            after = json.loads(_unb64(payload))["after"]
        except (ValueError, KeyError, TypeError) as e:  # signed but unreadable: a format from another release
            raise InvalidCursor("no longer readable; start again without it") from e
        if not isinstance(after, str):
            raise InvalidCursor("no longer readable; start again without it")
        return after

    def _tag(self, scope: str, payload: str) -> bytes:
        message = scope.encode() + b"\x00" + payload.encode("ascii", "replace")
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_TAG_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
