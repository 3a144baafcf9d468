"""Signed opaque cursors: only the service that issued a cursor, for the list it was issued for, accepts it."""

import base64
import json

import pytest

from mesh_platform.http.pagination import MAX_CURSOR_LENGTH, CursorCodec, InvalidCursor

SCOPE = "roster/data-products/fighters/v1"


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec(b"k" * 32)


def test_cursor_continues_after_the_key_it_was_made_from(codec):
    assert codec.decode(codec.encode("f-42", scope=SCOPE), scope=SCOPE) == "f-42"


def test_cursor_is_opaque(codec):
    assert "f-42" not in codec.encode("f-42", scope=SCOPE)


def test_tampered_cursor_is_refused(codec):
    payload, _, tag = codec.encode("f-42", scope=SCOPE).partition(".")
    forged = base64.urlsafe_b64encode(json.dumps({"after": "f-99"}).encode()).decode().rstrip("=")
    with pytest.raises(InvalidCursor, match="not one this service issued"):
        codec.decode(f"{forged}.{tag}", scope=SCOPE)


def test_cursor_of_another_service_is_refused(codec):
    foreign = CursorCodec(b"x" * 32).encode("f-42", scope=SCOPE)
    with pytest.raises(InvalidCursor):
        codec.decode(foreign, scope=SCOPE)


def test_cursor_of_another_list_is_refused(codec):
    other_list = codec.encode("f-42", scope="roster/data-products/fighters/v2")
    with pytest.raises(InvalidCursor):
        codec.decode(other_list, scope=SCOPE)


@pytest.mark.parametrize("cursor", ["garbage!", "eyJub3QiOiAiaXQifQ", "", ".", "a.b.c", "é.ü", "eyJ9.AAAA"])
def test_made_up_cursor_is_refused(codec, cursor):
    with pytest.raises(InvalidCursor):
        codec.decode(cursor, scope=SCOPE)


def test_overlong_cursor_is_refused_before_any_decoding(codec):
    with pytest.raises(InvalidCursor, match=f"longer than {MAX_CURSOR_LENGTH}"):
        codec.decode("A" * (MAX_CURSOR_LENGTH + 1), scope=SCOPE)


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError):
        CursorCodec(b"short")
