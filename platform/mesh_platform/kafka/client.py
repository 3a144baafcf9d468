"""How every Kafka client of the mesh connects: one settings object, one function that builds kafka-python kwargs.

The relay's producer, a subscription's consumer, the dead-letter producer, replay's admin client, the readiness
probe and ``mesh topics`` all connect through :func:`kafka_client_kwargs`, so SASL is configured in one place.

Brokers we run (``mesh broker``, ``mesh up``, the test fixture, docker-compose) accept clients only over
SASL/SCRAM-SHA-512; each domain connects as its own principal (``KAFKA_USERNAME``, default: the domain's name) with
its own password (``KAFKA_PASSWORD``, or a file named by ``KAFKA_PASSWORD_FILE`` — a Docker/Kubernetes secret).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["SASL_PLAINTEXT", "SASL_SSL", "PLAINTEXT", "SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]

SCRAM_MECHANISM: SaslMechanism = "SCRAM-SHA-512"
MINIMUM_PROD_PASSWORD_LENGTH = 16
# Passwords that appear in examples and tutorials; a production deployment must not run on one of them.
_WELL_KNOWN_PASSWORDS = frozenset({"admin", "admin-secret", "password", "changeme", "change-me", "kafka", "secret"})


class KafkaSettingsError(ValueError):
    """The Kafka client settings cannot connect (a SASL protocol without a username or password, ...)."""


class KafkaClientSettings(BaseSettings):
    """Where the Kafka cluster is and who this process is on it, from environment variables.

    ``KAFKA_BOOTSTRAP_SERVERS``, ``KAFKA_SECURITY_PROTOCOL`` (``SASL_PLAINTEXT`` by default; ``SASL_SSL`` for a
    managed cluster; ``PLAINTEXT`` only for an unsecured cluster outside production), ``KAFKA_SASL_MECHANISM``
    (``SCRAM-SHA-512``), ``KAFKA_USERNAME``, ``KAFKA_PASSWORD`` or ``KAFKA_PASSWORD_FILE``, ``KAFKA_SSL_CAFILE``;
    ``KAFKA_TOPIC_WAIT_SECONDS`` bounds how long a starting service waits for its topics to be provisioned.
    With ``MESH_ENV=prod`` an unauthenticated protocol, an empty or well-known password is refused.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    security_protocol: SecurityProtocol = Field("SASL_PLAINTEXT", validation_alias="KAFKA_SECURITY_PROTOCOL")
    sasl_mechanism: SaslMechanism = Field(SCRAM_MECHANISM, validation_alias="KAFKA_SASL_MECHANISM")
    username: str | None = Field(None, validation_alias="KAFKA_USERNAME")
    password: SecretStr | None = Field(None, validation_alias="KAFKA_PASSWORD")
    password_file: Path | None = Field(None, validation_alias="KAFKA_PASSWORD_FILE")
    ssl_cafile: Path | None = Field(None, validation_alias="KAFKA_SSL_CAFILE")
    environment: Literal["dev", "test", "prod"] = Field("dev", validation_alias="MESH_ENV")
    topic_wait_seconds: float = Field(30.0, validation_alias="KAFKA_TOPIC_WAIT_SECONDS", ge=0)

    @model_validator(mode="after")
    def _read_password_file_and_refuse_weak_secrets_in_prod(self) -> KafkaClientSettings:
        if self.password is None and self.password_file is not None:
            try:
                self.password = SecretStr(self.password_file.read_text().strip())
            except OSError as e:
                raise ValueError(f"KAFKA_PASSWORD_FILE={self.password_file} cannot be read: {e.strerror}") from e
        if self.environment == "prod":
            if not self.uses_sasl:
                raise ValueError(
                    f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} sends no credentials; with MESH_ENV=prod use "
                    "SASL_PLAINTEXT or SASL_SSL"
                )
            secret = self.password.get_secret_value() if self.password is not None else ""
            if not secret:
                raise ValueError("KAFKA_PASSWORD (or KAFKA_PASSWORD_FILE) must be set when MESH_ENV=prod")
            if secret.lower() in _WELL_KNOWN_PASSWORDS or len(secret) < MINIMUM_PROD_PASSWORD_LENGTH:
                raise ValueError(
                    f"KAFKA_PASSWORD is a default or weak password; with MESH_ENV=prod use a random one of at least "
                    f"{MINIMUM_PROD_PASSWORD_LENGTH} characters"
                )
        return self

    @property
    def uses_sasl(self) -> bool:
        """Whether clients authenticate (``SASL_*``)."""
        return self.security_protocol.startswith("SASL_")

    @property
    def principal(self) -> str | None:
        """The ACL principal this client acts as, ``User:<username>`` (None without SASL)."""
        return f"User:{self.username}" if self.uses_sasl and self.username else None

    def for_principal(self, username: str, password: str) -> KafkaClientSettings:
        """The same cluster and protocol, as another principal (e.g. a domain's, built by provisioning)."""
        return self.model_copy(update={"username": username, "password": SecretStr(password), "password_file": None})

    def with_default_username(self, username: str) -> KafkaClientSettings:
        """These settings, with ``username`` when ``KAFKA_USERNAME`` named nobody (a domain connects as itself)."""
        return self if self.username else self.model_copy(update={"username": username})


def kafka_settings(connection: KafkaClientSettings | str | None = None) -> KafkaClientSettings:
    """``connection`` as settings: itself, or for a bare ``host:port`` that address with the rest from the env."""
    if isinstance(connection, KafkaClientSettings):
        return connection
    if connection is None:
        return KafkaClientSettings()
    return KafkaClientSettings(bootstrap_servers=connection)


def kafka_client_kwargs(connection: KafkaClientSettings | str | None = None) -> dict[str, Any]:
    """The connection keyword arguments of a kafka-python ``KafkaProducer``/``KafkaConsumer``/``KafkaAdminClient``.

    ``connection`` is a settings object, or a bootstrap address whose credentials come from the environment.
    Raises :class:`KafkaSettingsError` when a SASL protocol has no username or password, instead of letting the
    client fail later with a bare "unable to bootstrap".
    """
    settings = kafka_settings(connection)
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    if settings.uses_sasl:
        password = settings.password.get_secret_value() if settings.password is not None else ""
        if not settings.username or not password:
            raise KafkaSettingsError(
                f"Kafka at {settings.bootstrap_servers} needs {settings.security_protocol} credentials: set "
                "KAFKA_USERNAME and KAFKA_PASSWORD (or KAFKA_PASSWORD_FILE)"
            )
        kwargs.update(
            sasl_mechanism=settings.sasl_mechanism,
            sasl_plain_username=settings.username,
            sasl_plain_password=password,
        )
    if settings.security_protocol in ("SASL_SSL", "SSL") and settings.ssl_cafile is not None:
        kwargs["ssl_cafile"] = str(settings.ssl_cafile)
    return kwargs
