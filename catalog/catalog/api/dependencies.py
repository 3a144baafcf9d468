"""The services a request handler needs, as ``Annotated`` dependency aliases."""

# No `from __future__ import annotations`: FastAPI resolves these aliases at runtime.
from typing import Annotated

from fastapi import Depends, Request

from catalog.service.lineage import LineageService
from catalog.service.registry import RegistryService
from catalog.settings import CatalogSettings


def registry_service(request: Request) -> RegistryService:
    result: RegistryService = request.app.state.registry
    return result


def lineage_service(request: Request) -> LineageService:
    result: LineageService = request.app.state.lineage
    return result


def catalog_settings(request: Request) -> CatalogSettings:
    result: CatalogSettings = request.app.state.settings
    return result


Registry = Annotated[RegistryService, Depends(registry_service)]
Lineage = Annotated[LineageService, Depends(lineage_service)]
Settings = Annotated[CatalogSettings, Depends(catalog_settings)]
