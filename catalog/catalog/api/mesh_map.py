"""``GET /api/v1/mesh-map``: every domain, product major and consumer, and the edges between them, with markings."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from catalog.service.mesh_map import MeshMapService


class MapDomainPublic(BaseModel):
    name: str
    products: list[str] = Field(description="Node ids of the domain's product majors.")
    consumers: list[str] = Field(description="Node ids of the domain's consumer groups and its service's HTTP reads.")


class MarkerPublic(BaseModel):
    kind: str = Field(description="`incident` or `quality` (a failing or warning quality rule).")
    severity: Literal["bad", "warn"]
    title: str
    link: str | None = None


class MapProductPublic(BaseModel):
    id: str = Field(description="Lineage node id: `dataset:octagon.<domain>:<product>.v<major>`.")
    domain: str
    product: str
    major: int
    version: str
    status: str = Field(description="Lifecycle: draft, active, deprecated or retired.")
    deprecated: bool
    sunset_date: str | None
    sunset_passed: bool
    topic: str
    health: Literal["ok", "warn", "bad"] = Field(description="The worst of the markers.")
    grants: list[str] = Field(description="Clients holding an active read grant of this major.")
    pii_grants: list[str] = Field(description="Clients holding an active grant of the product's personal data.")
    markers: list[MarkerPublic]
    url: str


class MapConsumerPublic(BaseModel):
    id: str = Field(description="`job:octagon.consumers:kafka.<group>` or `job:octagon.consumers:http.<subject>` "
                                "(lineage node ids), or `client:<id>` for a grant holder not seen reading.")
    kind: Literal["kafka", "http", "grant"]
    name: str
    domain: str | None = Field(description="The domain the consumer belongs to; null for readers outside them.")


class MapEdgePublic(BaseModel):
    origin: str
    destination: str
    kind: Literal["reads", "writes", "granted"] = Field(
        description="`reads`: product → consumer; `writes`: consumer group → product of its domain; `granted`: "
                    "product → client holding a grant but not seen reading.")
    granted: bool = Field(description="The consumer holds an active read grant of the product.")


class MeshMapPublic(BaseModel):
    domains: list[MapDomainPublic]
    products: list[MapProductPublic]
    consumers: list[MapConsumerPublic]
    edges: list[MapEdgePublic]


def mesh_map_service(request: Request) -> MeshMapService:
    service: MeshMapService = request.app.state.mesh_map
    return service


MeshMaps = Annotated[MeshMapService, Depends(mesh_map_service)]


def mesh_map_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["lineage"])

    @router.get(
        "/mesh-map",
        summary="The map of the mesh: domains, product majors, consumers and what flows between them",
        description="Built from the registry, the consumers services report and the lineage graph (Kafka consumer "
                    "groups and HTTP readers per major), with incidents or failing quality rules, deprecations and "
                    "active access grants marked. The web page `/map` draws it.",
        response_model=MeshMapPublic,
    )
    def mesh_map(maps: MeshMaps) -> MeshMapPublic:
        return MeshMapPublic.model_validate(maps.build().as_dict())

    return router
