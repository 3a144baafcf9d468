"""Schedule's settings (environment variables, see README)."""

from __future__ import annotations

from pydantic import Field

from mesh_platform.domain_api import ServiceSettings


class ScheduleSettings(ServiceSettings):
    service_name: str = Field("schedule", validation_alias="MESH_SERVICE_NAME")
    port: int = Field(8002, validation_alias="PORT")
    roster_url: str = Field("http://127.0.0.1:8001", validation_alias="ROSTER_URL")
