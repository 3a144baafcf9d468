"""The services a request handler needs, as ``Annotated`` dependency aliases."""

# No `from __future__ import annotations`: FastAPI resolves these aliases at runtime.
from typing import Annotated

from fastapi import Depends, Request

from catalog.service.lineage import LineageService
from catalog.service.registry import RegistryService
from catalog.settings import CatalogSettings


def registry_service(request: Request) -> RegistryService:
    return request.app.state.registry


def lineage_service(request: Request) -> LineageService:
    return request.app.state.lineage


def catalog_settings(request: Request) -> CatalogSettings:
    return request.app.state.settings


Registry = Annotated[RegistryService, Depends(registry_service)]
Lineage = Annotated[LineageService, Depends(lineage_service)]
Settings = Annotated[CatalogSettings, Depends(catalog_settings)]
