"""Routes that publish a domain's interfaces from its contracts: ``/contracts`` and ``/asyncapi.json``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException

from mesh_platform.contracts import ContractRegistry, DataProductContract, asyncapi_document, openapi_with_contracts
from mesh_platform.contracts.errors import UnknownDataProduct
from mesh_platform.events.envelope import EventMessage


def contract_router(domain: str, registry: ContractRegistry, *, kafka_bootstrap_servers: str, catalog_url: str) -> APIRouter:
    """``GET /contracts`` (this domain's ODCS documents), ``GET /contracts/<product>/v<major>``, ``/asyncapi.json``."""
    router = APIRouter(tags=["interfaces"])
    owned = registry.for_domain(domain)

    @router.get("/contracts", summary="The ODCS contracts of this domain's data products")
    def contracts() -> list[dict[str, Any]]:
        return [_summary(contract) for contract in owned]

    @router.get("/contracts/{product}/v{major}", summary="One contract (the ODCS document)")
    def contract(product: str, major: int) -> dict[str, Any]:
        try:
            return registry.get(domain, product, major).document
        except UnknownDataProduct as e:
            raise HTTPException(404, f"product: {e}") from e

    @router.get("/asyncapi.json", summary="AsyncAPI 3 document of this domain's topics")
    def asyncapi() -> dict[str, Any]:
        return asyncapi_document(
            domain, owned, kafka_bootstrap_servers=kafka_bootstrap_servers, catalog_url=catalog_url
        )

    return router


def publish_contract_schemas(app: FastAPI, contracts: list[DataProductContract]) -> None:
    """Make ``/openapi.json`` describe the data-product responses with the contracts' schemas."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_with_contracts(generate(), contracts)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def contract_validator(registry: ContractRegistry) -> Callable[[EventMessage], None]:
    """Validates consumed events against the contract of the product that publishes their type."""

    def validate(message: EventMessage) -> None:
        try:
            contract = registry.for_event_type(message.type)
        except UnknownDataProduct as e:
            raise ValueError(f"no contract publishes event type {message.type!r}") from e
        contract.validate_event(message.type, message.data)

    return validate


def _summary(contract: DataProductContract) -> dict[str, Any]:
    return {
        "id": contract.id,
        "product": contract.product,
        "version": contract.version,
        "major": contract.major,
        "status": contract.status,
        "topic": contract.topic,
        "http_path": contract.http_path,
        "event_types": contract.event_types,
        "sunset": contract.sunset.isoformat() if contract.sunset else None,
    }
