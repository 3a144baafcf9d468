"""Roster's settings (environment variables, see README)."""

from __future__ import annotations

from pydantic import Field

from mesh_platform.domain_api import ServiceSettings


class RosterSettings(ServiceSettings):
    service_name: str = Field("roster", validation_alias="MESH_SERVICE_NAME")
    port: int = Field(8001, validation_alias="PORT")
