import pytest
from pydantic import ValidationError

from mesh_platform.settings import ServiceSettings


def test_a_service_without_client_secret_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("MESH_ENV", "prod")
    monkeypatch.setenv("MESH_CURSOR_SECRET", "c" * 40)
    monkeypatch.delenv("MESH_CLIENT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="MESH_CLIENT_SECRET"):
        ServiceSettings()


def test_a_short_client_secret_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("MESH_ENV", "prod")
    monkeypatch.setenv("MESH_CURSOR_SECRET", "c" * 40)
    monkeypatch.setenv("MESH_CLIENT_SECRET", "secret")
    with pytest.raises(ValidationError, match="MESH_CLIENT_SECRET"):
        ServiceSettings()


def test_tokens_are_verified_against_the_catalog_unless_an_issuer_is_configured(monkeypatch):
    monkeypatch.delenv("MESH_OIDC_ISSUER", raising=False)
    monkeypatch.setenv("CATALOG_URL", "http://catalog.mesh:8000/")
    assert ServiceSettings().issuer == "http://catalog.mesh:8000"
    monkeypatch.setenv("MESH_OIDC_ISSUER", "https://keycloak.example/realms/mesh")
    assert ServiceSettings().issuer == "https://keycloak.example/realms/mesh"


def test_store_defaults_to_a_sqlite_file_named_after_the_service(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MESH_RUN_DIR", str(tmp_path))
    settings = ServiceSettings(service_name="roster")
    assert settings.store_url == f"sqlite:///{tmp_path / 'roster.db'}"


def test_database_url_wins_over_the_default(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@h/db")
    assert ServiceSettings().store_url == "postgresql://u:p@h/db"
