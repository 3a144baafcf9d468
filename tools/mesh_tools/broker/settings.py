"""Where the mesh finds its Kafka broker, or how it starts a local one."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mesh_tools.broker.distribution import DEFAULT_KAFKA_VERSION


class BrokerSettings(BaseSettings):
    """The broker settings of ``mesh broker`` and ``mesh up``, from environment variables.

    With ``KAFKA_BOOTSTRAP_SERVERS`` set, that cluster is used and nothing is started; otherwise a local broker is
    started on ``KAFKA_PORT`` (controller ``KAFKA_CONTROLLER_PORT``) with ``KAFKA_VERSION`` and ``KAFKA_HEAP``.
    ``KAFKA_MAX_REPLICATION_FACTOR`` caps the replicas of provisioned topics (a cluster smaller than declared).
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str | None = Field(None, validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    kafka_port: int = Field(9092, validation_alias="KAFKA_PORT", ge=1, le=65535)
    kafka_controller_port: int = Field(9093, validation_alias="KAFKA_CONTROLLER_PORT", ge=1, le=65535)
    kafka_version: str = Field(DEFAULT_KAFKA_VERSION, validation_alias="KAFKA_VERSION")
    kafka_heap: str = Field("512m", validation_alias="KAFKA_HEAP")
    # A deployment with fewer brokers than the contracts' replicas says so explicitly (docker-compose: 1); without
    # it, provisioning with MESH_ENV=prod refuses to create topics with fewer replicas than declared.
    kafka_max_replication_factor: int | None = Field(None, validation_alias="KAFKA_MAX_REPLICATION_FACTOR", ge=1)
