"""The catalog's settings (environment variables, see catalog/README.md)."""

from __future__ import annotations

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
