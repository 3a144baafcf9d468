"""OpenAPI 3.1 components for the HTTP output ports, derived from contracts.

Each live major of a product gets a record component (``FightersV1``) and a page component (``FightersV1Page``:
``items`` and ``next_cursor``, the list response of DESIGN §4). Properties carry ``x-classification`` and, for
personal data, ``x-pii: true``. :func:`openapi_with_contracts` wires them into a service's generated document.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from mesh_platform.contracts.fields import FieldSpec
from mesh_platform.contracts.json_schema import field_schema
from mesh_platform.contracts.product import DataProductContract


def component_name(contract: DataProductContract) -> str:
    """``fighter-records`` major 1 → ``FighterRecordsV1``."""
    words = re.split(r"[-_]", contract.product)
    return "".join(word[:1].upper() + word[1:] for word in words) + f"V{contract.major}"


def openapi_record_schema(contract: DataProductContract) -> dict[str, Any]:
    """The record schema as an OpenAPI 3.1 schema object (JSON Schema without ``$schema``, with x- annotations)."""
    schema = copy.deepcopy(contract.record_schema)
    schema.pop("$schema", None)
    schema["x-key"] = contract.key_field
    _annotate(schema, contract.fields)
    return schema


def filter_schema(contract: DataProductContract, name: str) -> dict[str, Any]:
    """The schema of a ``?<name>=`` filter value: the contract field's type, format, bounds and allowed values.

    A filter matches a value, never null, so the schema is the field's as if it were required (no ``null`` type or
    enum member). :class:`KeyError` if the contract has no top-level field ``name``.
    """
    spec = next((spec for spec in contract.fields if spec.name == name), None)
    if spec is None:
        raise KeyError(f"{name!r} is not a field of {contract.id} v{contract.major}")
    return field_schema(dataclasses.replace(spec, required=True))


def openapi_page_schema(contract: DataProductContract) -> dict[str, Any]:
    """The list response of the HTTP port: a page of records and the cursor of the next page."""
    return {
        "title": f"Page of {contract.id} v{contract.major}",
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{component_name(contract)}"}},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as ?cursor= to get the next page; null on the last page.",
            },
        },
        "required": ["items", "next_cursor"],
        "additionalProperties": False,
    }


def openapi_components(contracts: Iterable[DataProductContract]) -> dict[str, Any]:
    """``{"schemas": {...}}``: record and page components of every contract."""
    schemas: dict[str, Any] = {}
    for contract in contracts:
        name = component_name(contract)
        schemas[name] = openapi_record_schema(contract)
        schemas[f"{name}Page"] = openapi_page_schema(contract)
    return {"schemas": schemas}


def openapi_with_contracts(openapi: dict[str, Any], contracts: Iterable[DataProductContract]) -> dict[str, Any]:
    """A copy of a service's OpenAPI document whose data-product routes answer with the contract components.

    The list route (``<http_path>``) answers a page, the item route (``<http_path>/{key}``) one record.
    """
    document = copy.deepcopy(openapi)
    contracts = list(contracts)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(openapi_components(contracts)["schemas"])
    paths = document.get("paths", {})
    for contract in contracts:
        name = component_name(contract)
        for path, component in ((contract.http_path, f"{name}Page"), (f"{contract.http_path}/{{key}}", name)):
            operation = paths.get(path, {}).get("get")
            if operation is None:
                continue
            response = operation.setdefault("responses", {}).setdefault("200", {"description": "Successful Response"})
            response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
    return document


def _annotate(schema: dict[str, Any], fields: Iterable[FieldSpec]) -> None:
    for spec in fields:
        target = schema["properties"][spec.name]
        _annotate_field(target, spec)


def _annotate_field(target: dict[str, Any], spec: FieldSpec) -> None:
    if spec.classification:
        target["x-classification"] = spec.classification
    if spec.pii:
        target["x-pii"] = True
    if spec.properties:
        _annotate(target, spec.properties)
    if spec.items is not None and "items" in target:
        _annotate_field(target["items"], spec.items)
