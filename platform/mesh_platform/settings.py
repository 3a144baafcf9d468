"""Settings shared by every Octagon Mesh service.

Each service subclasses :class:`ServiceSettings` once; values come from environment variables (pydantic-settings),
so the same code runs under ``mesh up``, in tests and in docker-compose.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mesh_platform.auth.tokens import DEFAULT_AUDIENCE

MIN_PROD_SECRET_LENGTH = 24
DEV_CURSOR_SECRET = "octagon-mesh-dev-only-cursor-secret"
MIN_CURSOR_SECRET_LENGTH = 32


class ServiceSettings(BaseSettings):
    """What every domain service and the catalog need to start.

    ``DATABASE_URL`` is the service's own store; when unset, a SQLite file named after the service is used in
    ``MESH_RUN_DIR``. Tokens are verified against the keys of ``MESH_OIDC_ISSUER`` (the catalog by default; any OIDC
    provider); the service's own calls carry the token of client ``MESH_CLIENT_ID`` (its name by default). With
    ``MESH_ENV=prod`` a missing or short client secret is refused, so a deployment cannot run without credentials.
    """

    needs_client_credentials: ClassVar[bool] = True

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
    oidc_issuer: str | None = Field(None, validation_alias="MESH_OIDC_ISSUER")
    oidc_audience: str = Field(DEFAULT_AUDIENCE, validation_alias="MESH_OIDC_AUDIENCE")
    oidc_jwks: str | None = Field(None, validation_alias="MESH_OIDC_JWKS")
    oidc_token_url: str | None = Field(None, validation_alias="MESH_OIDC_TOKEN_URL")
    client_id: str | None = Field(None, validation_alias="MESH_CLIENT_ID")
    client_secret: SecretStr | None = Field(None, validation_alias="MESH_CLIENT_SECRET")
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
    def _refuse_weak_credentials_in_prod(self) -> ServiceSettings:
        if self.environment != "prod" or not self.needs_client_credentials:
            return self
        secret = self.client_secret.get_secret_value() if self.client_secret else ""
        if len(secret) < MIN_PROD_SECRET_LENGTH:
            raise ValueError(
                f"MESH_CLIENT_SECRET must be set (at least {MIN_PROD_SECRET_LENGTH} characters) when MESH_ENV=prod"
            )
        return self

    @property
    def issuer(self) -> str:
        """The authorization server whose tokens this service accepts (the catalog unless configured)."""
        return (self.oidc_issuer or self.catalog_url).rstrip("/")

    @property
    def own_client_id(self) -> str:
        """This service's OAuth2 client id."""
        return self.client_id or self.service_name

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
