"""The HTTP edge is configured from the environment, and production refuses a weak cursor key."""

import pytest
from pydantic import ValidationError

from mesh_platform.http.edge import cursor_codec, request_limits
from mesh_platform.settings import DEV_CURSOR_SECRET, ServiceSettings


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("MESH_ENV", "prod")
    monkeypatch.setenv("MESH_TOKEN_SECRET", "t" * 40)
    monkeypatch.setenv("MESH_CLIENT_SECRET", "s" * 40)


@pytest.mark.parametrize("secret", [None, DEV_CURSOR_SECRET, "short-secret"])
def test_production_refuses_a_default_or_weak_cursor_secret(production, monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("MESH_CURSOR_SECRET", raising=False)
    else:
        monkeypatch.setenv("MESH_CURSOR_SECRET", secret)
    with pytest.raises(ValidationError, match="MESH_CURSOR_SECRET"):
        ServiceSettings()


def test_production_accepts_a_strong_cursor_secret_and_keeps_it_out_of_reprs(production, monkeypatch):
    monkeypatch.setenv("MESH_CURSOR_SECRET", "k" * 48)
    settings = ServiceSettings()
    assert "k" * 48 not in repr(settings)
    codec = cursor_codec(settings)
    assert codec.decode(codec.encode("f-1", scope="s"), scope="s") == "f-1"


def test_request_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MESH_MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("MESH_MAX_JSON_DEPTH", "10")
    limits = request_limits(ServiceSettings())
    assert (limits.max_body_bytes, limits.max_json_depth) == (4096, 10)


def test_defaults_are_one_mebibyte_and_64_levels(monkeypatch):
    monkeypatch.delenv("MESH_MAX_BODY_BYTES", raising=False)
    monkeypatch.delenv("MESH_MAX_JSON_DEPTH", raising=False)
    limits = request_limits(ServiceSettings())
    assert (limits.max_body_bytes, limits.max_json_depth) == (1024 * 1024, 64)
