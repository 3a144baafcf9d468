"""Reading contract documents: YAML text → a JSON-compatible mapping → checked against ODCS v3.1.0.

The ODCS v3.1.0 JSON Schema ships inside this package (``schemas/``), so nothing outside the installed platform is
needed at run time. YAML is read without implicit timestamps (``2024-01-01`` stays a string, as in JSON) and with
duplicate keys refused, because PyYAML would otherwise keep the last one silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError
from open_data_contract_standard.model import OpenDataContractStandard
from pydantic import ValidationError as ModelValidationError

from mesh_platform.contracts.errors import ContractError

ODCS_API_VERSION = "v3.1.0"
ODCS_SCHEMA_RESOURCE = "odcs-json-schema-v3.1.0.json"

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a contract document, at ``path`` inside it (``schema[fighters].properties[name]``)."""

    path: str
    rule: str
    message: str
    severity: Severity = "error"


class _ContractYamlLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", seen[key], f"found duplicate key {key!r}", key_node.start_mark
                )
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_ContractYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_document(text: str, source: str | Path) -> dict[str, Any]:
    """The contract mapping in ``text``; :class:`ContractError` naming line and column if it is not valid YAML."""
    try:
        document = yaml.load(text, Loader=_ContractYamlLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ContractError(source, where, f"invalid YAML: {e.problem or e.context}") from e
    except yaml.YAMLError as e:
        raise ContractError(source, "", f"invalid YAML: {e}") from e
    if not isinstance(document, dict):
        kind = "an empty document" if document is None else f"a {type(document).__name__}"
        raise ContractError(source, "", f"a contract must be a YAML mapping, found {kind}")
    return document


@cache
def odcs_json_schema() -> dict[str, Any]:
    """The ODCS v3.1.0 JSON Schema bundled with the platform."""
    text = (
        resources.files("mesh_platform.contracts").joinpath("schemas").joinpath(ODCS_SCHEMA_RESOURCE).read_text("utf-8")
    )
    result: dict[str, Any] = json.loads(text)
    return result


@cache
def _odcs_validator() -> Draft201909Validator:
    return Draft201909Validator(odcs_json_schema())


def odcs_problems(document: dict[str, Any]) -> list[Problem]:
    """Every way ``document`` fails the ODCS v3.1.0 JSON Schema (empty when it is valid)."""
    try:
        canonical = json.dumps(document, sort_keys=True)
    except (TypeError, ValueError):  # not JSON-compatible: validate as is, uncached
        return _problems(document)
    # The same text is validated again and again (each history version in a check, every service start in tests).
    return list(_cached_problems(canonical))


@lru_cache(maxsize=128)
def _cached_problems(canonical: str) -> tuple[Problem, ...]:
    return tuple(_problems(json.loads(canonical)))


def _problems(document: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    api_version = document.get("apiVersion")
    if api_version != ODCS_API_VERSION:
        problems.append(
            Problem(
                "apiVersion",
                "odcs-api-version",
                f"must be {ODCS_API_VERSION!r} (Octagon Mesh contracts follow "
                f"ODCS {ODCS_API_VERSION}), found {api_version!r}",
            )
        )
    seen: set[tuple[str, str]] = set()
    for error in sorted(_odcs_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        problem = _problem_from(document, error)
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            problems.append(problem)
    return problems


def parse_odcs(document: dict[str, Any], source: str | Path) -> OpenDataContractStandard:
    """``document`` as the ``open-data-contract-standard`` model (call after :func:`odcs_problems` came back empty)."""
    try:
        return OpenDataContractStandard.model_validate(document)
    except ModelValidationError as e:
        first = e.errors()[0]
        raise ContractError(source, document_path(document, first["loc"]), first["msg"]) from e


def document_path(document: Any, parts: Iterable[Any]) -> str:
    """A readable path into ``document``: list items are named by their ``name``, ``id`` or ``property``.

    ``["schema", 0, "properties", 3, "logicalType"]`` → ``schema[fighters].properties[height_cm].logicalType``.
    """
    rendered = ""
    node = document
    for part in parts:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            item = node[part]
            rendered += f"[{_label(item, part)}]"
            node = item
        else:
            rendered += f".{part}" if rendered else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return rendered


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("name", "id", "property", "type"):
            if isinstance(item.get(key), str):
                result: str = item[key]
                return result
    return str(index)


def _problem_from(document: dict[str, Any], error: ValidationError) -> Problem:
    if error.validator in ("oneOf", "anyOf") and error.context:
        # A branch that fails only because the value has another type explains nothing.
        relevant = [c for c in error.context if not (c.validator == "type" and not c.relative_path)]
        if relevant:
            error = min(relevant, key=lambda c: -len(c.absolute_path))
    path = document_path(document, error.absolute_path)
    parts: Sequence[Any] = list(error.absolute_path)
    if error.validator == "enum" and parts and parts[-1] == "logicalType":
        enum = error.validator_value if isinstance(error.validator_value, list) else []
        allowed = ", ".join(str(value) for value in enum)
        return Problem(path, "odcs-logical-type", f"unknown logicalType {error.instance!r}; ODCS allows {allowed}")
    if error.validator == "unevaluatedProperties":
        return Problem(path, "odcs-schema", f"{error.message}; ODCS {ODCS_API_VERSION} does not define them here")
    return Problem(path, "odcs-schema", error.message)
