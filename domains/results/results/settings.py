"""Results' settings (environment variables, see README)."""

from __future__ import annotations

from pydantic import Field

from mesh_platform.domain_api import ServiceSettings


class ResultsSettings(ServiceSettings):
    service_name: str = Field("results", validation_alias="MESH_SERVICE_NAME")
    port: int = Field(8003, validation_alias="PORT")
    schedule_url: str = Field("http://127.0.0.1:8002", validation_alias="SCHEDULE_URL")
