"""Contracts as code: ODCS v3.1.0 data contracts, what the platform derives from them, lint and change checks.

Typical use in a service::

    registry = ContractRegistry.from_directory(settings.contracts_dir or default_contracts_dir())
    fighters = registry.get("roster", "fighters", 1)
    fighters.validate_record(record)            # ContractViolation(path, reason) if it does not conform
    document = asyncapi_document("roster", registry)
"""

from mesh_platform.contracts.asyncapi import asyncapi_document
from mesh_platform.contracts.errors import (
    ContractError,
    ContractsDirNotFound,
    ContractViolation,
    GitError,
    UnknownDataProduct,
)
from mesh_platform.contracts.loading import ContractRegistry, default_contracts_dir, load_contract_file
from mesh_platform.contracts.openapi import filter_schema, openapi_components, openapi_with_contracts
from mesh_platform.contracts.product import DataProductContract, EventType

__all__ = [
    "ContractError",
    "ContractRegistry",
    "ContractViolation",
    "ContractsDirNotFound",
    "DataProductContract",
    "EventType",
    "GitError",
    "UnknownDataProduct",
    "asyncapi_document",
    "default_contracts_dir",
    "filter_schema",
    "load_contract_file",
    "openapi_components",
    "openapi_with_contracts",
]
