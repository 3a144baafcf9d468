"""The catalog's settings (environment variables, see catalog/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from mesh_platform.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    """What the catalog needs to start: its own store, limits of lineage queries and search pages."""

    service_name: str = Field("catalog", validation_alias="MESH_SERVICE_NAME")
    port: int = Field(8000, validation_alias="PORT")
    lineage_default_depth: int = Field(20, ge=0, validation_alias="CATALOG_LINEAGE_DEFAULT_DEPTH")
    lineage_max_depth: int = Field(50, ge=1, validation_alias="CATALOG_LINEAGE_MAX_DEPTH")
    lineage_max_nodes: int = Field(2000, ge=1, validation_alias="CATALOG_LINEAGE_MAX_NODES")
    search_max_limit: int = Field(100, ge=1, validation_alias="CATALOG_SEARCH_MAX_LIMIT")
    # The catalog is the authorization server: it signs tokens and calls nobody with one.
    needs_client_credentials: ClassVar[bool] = False
    signing_key_file: Path | None = Field(None, validation_alias="CATALOG_SIGNING_KEY_FILE")
    token_lifetime_seconds: int = Field(300, ge=30, le=3600, validation_alias="CATALOG_TOKEN_LIFETIME_SECONDS")
    clients_file: Path | None = Field(None, validation_alias="CATALOG_CLIENTS_FILE")
    service_urls_setting: str = Field("", validation_alias="CATALOG_SERVICE_URLS")
    # Incidents, SLOs and notifications (catalog/README.md, "Trust").
    incident_passes_to_resolve: int = Field(3, ge=1, le=1000, validation_alias="CATALOG_INCIDENT_PASSES_TO_RESOLVE")
    slo_window_days: int = Field(30, ge=1, le=366, validation_alias="CATALOG_SLO_WINDOW_DAYS")
    slo_freshness_objective: float = Field(0.99, gt=0, lt=1, validation_alias="CATALOG_SLO_FRESHNESS_OBJECTIVE")
    slo_stale_minutes: float = Field(10, gt=0, validation_alias="CATALOG_SLO_STALE_MINUTES")
    notifications_topic: str = Field("catalog.notifications.v1", validation_alias="CATALOG_NOTIFICATIONS_TOPIC")
    notifications_kafka_setting: bool | None = Field(None, validation_alias="CATALOG_NOTIFICATIONS_KAFKA")
    notifications_poll_seconds: float = Field(5.0, gt=0, validation_alias="CATALOG_NOTIFICATIONS_POLL_SECONDS")
    webhook_attempts: int = Field(3, ge=1, le=10, validation_alias="CATALOG_WEBHOOK_ATTEMPTS")
    webhook_backoff_seconds: float = Field(0.5, ge=0, validation_alias="CATALOG_WEBHOOK_BACKOFF_SECONDS")

    @property
    def notifications_kafka(self) -> bool:
        """Whether notifications go to the Kafka topic (``CATALOG_NOTIFICATIONS_KAFKA``; on except in tests)."""
        if self.notifications_kafka_setting is not None:
            return self.notifications_kafka_setting
        return self.environment != "test"

    @property
    def service_urls(self) -> dict[str, str]:
        """Where each domain's service runs (``CATALOG_SERVICE_URLS=roster=http://...,schedule=...``): the only
        URLs the catalog probes and shows; what a registration says about its URL is never fetched."""
        urls = {}
        for item in self.service_urls_setting.split(","):
            name, separator, url = item.strip().partition("=")
            if separator and name and url.startswith(("http://", "https://")):
                urls[name.strip()] = url.strip().rstrip("/")
        return urls
