import pytest
from pydantic import ValidationError

from mesh_platform.settings import ServiceSettings


def test_default_secret_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("MESH_ENV", "prod")
    monkeypatch.setenv("MESH_CURSOR_SECRET", "c" * 40)
    monkeypatch.delenv("MESH_TOKEN_SECRET", raising=False)
    with pytest.raises(ValidationError, match="MESH_TOKEN_SECRET"):
        ServiceSettings()


def test_store_defaults_to_a_sqlite_file_named_after_the_service(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MESH_RUN_DIR", str(tmp_path))
    settings = ServiceSettings(service_name="roster")
    assert settings.store_url == f"sqlite:///{tmp_path / 'roster.db'}"


def test_database_url_wins_over_the_default(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@h/db")
    assert ServiceSettings().store_url == "postgresql://u:p@h/db"
