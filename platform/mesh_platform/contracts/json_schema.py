"""JSON Schema (draft-07) of records and events, derived from contract fields, and their compiled validators.

Every object is closed (``additionalProperties: false``): a payload with a property the contract does not define is
refused. A field that is not ODCS-``required`` may be absent or null; a required one must be present and not null.
Validators are compiled with fastjsonschema once per distinct schema: schemas that differ only in annotations
(titles, descriptions, examples), such as a record and the events that carry it, share one compiled function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import fastjsonschema

from mesh_platform.contracts.errors import ContractViolation
from mesh_platform.contracts.fields import FieldSpec

JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Formats draft-07 lacks but ODCS names; fastjsonschema checks them with these patterns.
CUSTOM_FORMATS = {"uuid": UUID_PATTERN}

_JSON_TYPES = {
    "string": "string",
    "date": "string",
    "timestamp": "string",
    "time": "string",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "object": "object",
    "array": "array",
}
_TEMPORAL_FORMATS = {"date": "date", "timestamp": "date-time", "time": "time"}
_OPTION_KEYWORDS = {
    "string": ("minLength", "maxLength", "pattern", "format"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "array": ("minItems", "maxItems", "uniqueItems"),
}


def field_schema(spec: FieldSpec, *, annotations: bool = True) -> dict[str, Any]:
    """The JSON Schema of one field's value (nullable unless the field is required)."""
    logical_type = spec.logical_type or "string"
    json_type = _JSON_TYPES[logical_type]
    schema: dict[str, Any] = {}
    if annotations and spec.description:
        schema["description"] = spec.description
    schema["type"] = [json_type, "null"] if spec.nullable else json_type
    if logical_type in _TEMPORAL_FORMATS:
        schema["format"] = _TEMPORAL_FORMATS[logical_type]
    for keyword in _OPTION_KEYWORDS.get(logical_type, ()):
        if keyword in spec.options:
            schema[keyword] = spec.options[keyword]
    if logical_type == "object":
        schema.update(_object_body(spec.properties, annotations=annotations))
    elif logical_type == "array" and spec.items is not None:
        schema["items"] = field_schema(spec.items, annotations=annotations)
    if spec.allowed_values is not None:
        schema["enum"] = [*spec.allowed_values, None] if spec.nullable else list(spec.allowed_values)
    if annotations and spec.examples:
        schema["examples"] = list(spec.examples)
    return schema


def object_schema(
    fields: Sequence[FieldSpec], *, title: str | None = None, description: str | None = None, annotations: bool = True
) -> dict[str, Any]:
    """The closed JSON Schema of a whole record (or event data) made of ``fields``."""
    schema: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT}
    if annotations and title:
        schema["title"] = title
    if annotations and description:
        schema["description"] = description
    schema["type"] = "object"
    schema.update(_object_body(fields, annotations=annotations))
    return schema


def _object_body(fields: Sequence[FieldSpec], *, annotations: bool) -> dict[str, Any]:
    return {
        "properties": {spec.name: field_schema(spec, annotations=annotations) for spec in fields},
        "required": [spec.name for spec in fields if spec.required],
        "additionalProperties": False,
    }


class PayloadValidator:
    """Checks payloads against one schema; raises :class:`ContractViolation` naming the path and the reason."""

    __slots__ = ("name", "_check")

    def __init__(self, name: str, validation_schema: dict[str, Any]) -> None:
        self.name = name
        self._check = _compiled(json.dumps(validation_schema, sort_keys=True))

    def __call__(self, payload: Any) -> None:
        try:
            self._check(payload)
        except fastjsonschema.JsonSchemaValueException as e:
            raise _violation(e) from None

    def is_valid(self, payload: Any) -> bool:
        """Whether ``payload`` conforms (no exception)."""
        try:
            self._check(payload)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True


@cache
def _compiled(canonical_schema: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(json.loads(canonical_schema), formats=CUSTOM_FORMATS)


def _violation(error: fastjsonschema.JsonSchemaValueException) -> ContractViolation:
    name = error.name or "data"
    path = name[len("data") :].lstrip(".")
    value = error.value
    if error.rule == "required" and isinstance(value, dict):
        missing = [key for key in (error.rule_definition or []) if key not in value]
        if missing:
            return ContractViolation(_join(path, missing[0]), "is required by the contract but missing")
    if error.rule == "additionalProperties" and isinstance(value, dict):
        known = (error.definition or {}).get("properties", {})
        unknown = sorted(key for key in value if key not in known)
        if unknown:
            return ContractViolation(_join(path, unknown[0]), "is not defined by the contract (unknown property)")
    reason = (error.message or "").removeprefix(name).strip()
    return ContractViolation(path, reason or "does not conform to the contract")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
