"""Settings shared by every Octagon Mesh service.

Each service subclasses :class:`ServiceSettings` once; values come from environment variables (pydantic-settings),
so the same code runs under ``mesh up``, in tests and in docker-compose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_TOKEN_SECRET = "octagon-mesh-dev-only-secret-change-me-in-prod"
DEV_CURSOR_SECRET = "octagon-mesh-dev-only-cursor-secret"
MIN_CURSOR_SECRET_LENGTH = 32


class ServiceSettings(BaseSettings):
    """What every domain service and the catalog need to start.

    ``DATABASE_URL`` is the service's own store; when unset, a SQLite file named after the service is used in
    ``MESH_RUN_DIR``. Outside dev mode the default token secret is refused, so a deployment cannot run with it.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    service_name: str = Field("service", validation_alias="MESH_SERVICE_NAME")
    environment: Literal["dev", "test", "prod"] = Field("dev", validation_alias="MESH_ENV")
    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(8000, validation_alias="PORT")
    public_url: str | None = Field(None, validation_alias="PUBLIC_URL")
    run_dir: Path = Field(Path(".run"), validation_alias="MESH_RUN_DIR")
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    catalog_url: str = Field("http://127.0.0.1:8000", validation_alias="CATALOG_URL")
    contracts_dir: Path | None = Field(None, validation_alias="MESH_CONTRACTS_DIR")
    token_secret: str = Field(DEV_TOKEN_SECRET, validation_alias="MESH_TOKEN_SECRET")
    relay_enabled: bool = Field(True, validation_alias="MESH_RELAY_ENABLED")
    subscriptions_enabled: bool = Field(True, validation_alias="MESH_SUBSCRIPTIONS_ENABLED")
    catalog_enabled: bool = Field(True, validation_alias="MESH_CATALOG_ENABLED")
    # The HTTP edge (mesh_platform.http.edge): request limits and the key that signs list cursors.
    max_body_bytes: int = Field(1024 * 1024, ge=1024, validation_alias="MESH_MAX_BODY_BYTES")
    max_json_depth: int = Field(64, ge=2, le=512, validation_alias="MESH_MAX_JSON_DEPTH")
    cursor_secret: SecretStr = Field(SecretStr(DEV_CURSOR_SECRET), validation_alias="MESH_CURSOR_SECRET")

    @model_validator(mode="after")
    def _refuse_weak_cursor_secret_in_prod(self) -> ServiceSettings:
        secret = self.cursor_secret.get_secret_value()
        if self.environment == "prod" and (secret == DEV_CURSOR_SECRET or len(secret) < MIN_CURSOR_SECRET_LENGTH):
            raise ValueError(
                f"MESH_CURSOR_SECRET must be set to a random secret of at least {MIN_CURSOR_SECRET_LENGTH} "
                "characters when MESH_ENV=prod"
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_secret_outside_dev(self) -> ServiceSettings:
        if self.environment == "prod" and self.token_secret == DEV_TOKEN_SECRET:
            raise ValueError("MESH_TOKEN_SECRET must be set to a non-default secret when MESH_ENV=prod")
        return self

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL of this service's own store."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.run_dir / f'{self.service_name}.db').resolve()}"

    @property
    def base_url(self) -> str:
        """Where other processes reach this service."""
        return self.public_url or f"http://{self.host}:{self.port}"
