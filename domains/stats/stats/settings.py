"""Stats' settings (environment variables, see README)."""

from __future__ import annotations

from pydantic import Field

from mesh_platform.domain_api import ServiceSettings


class StatsSettings(ServiceSettings):
    service_name: str = Field("stats", validation_alias="MESH_SERVICE_NAME")
    port: int = Field(8004, validation_alias="PORT")
