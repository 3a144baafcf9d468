"""The fields of a data product, read from ODCS schema properties into one normalised shape.

ODCS spreads what a field accepts over several places: ``logicalType`` and ``logicalTypeOptions`` (ranges, lengths,
patterns, formats), ``required`` (in ODCS: whether the value may be null) and ``quality`` rules (v3.1.0 has no
``enum`` keyword, so allowed values are an ``invalidValues`` rule with ``validValues`` that must count 0).
:class:`FieldSpec` gathers them so JSON Schema derivation, linting and compatibility checks read one thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from open_data_contract_standard.model import CustomProperty, DataQuality, SchemaProperty

from mesh_platform.contracts.documents import Problem

PII_TAG = "pii"
EXTENSIBLE_ENUM_PROPERTY = "extensibleEnum"
CLASSIFICATIONS = ("public", "internal", "restricted")
SCALAR_TYPES = ("string", "date", "timestamp", "time", "number", "integer", "boolean")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record, as the contract defines it.

    ``path`` points into the payload (``judges_scores[].red``); ``doc_path`` points into the contract document
    (``schema[bout_results].properties[judges_scores].items.properties[red]``). ``required`` follows ODCS: a
    required field is always present and never null; any other field may be null or absent.
    """

    name: str
    path: str
    doc_path: str
    logical_type: str | None
    required: bool
    required_declared: bool
    description: str | None
    classification: str | None
    pii: bool
    examples: tuple[Any, ...] | None
    options: Mapping[str, Any]
    allowed_values: tuple[Any, ...] | None
    extensible_enum: bool
    primary_key: bool
    properties: tuple[FieldSpec, ...] = ()
    items: FieldSpec | None = None
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def nullable(self) -> bool:
        """Whether the value may be null (ODCS ``required: false``)."""
        return not self.required

    def walk(self) -> list[FieldSpec]:
        """This field and every field nested in it, depth first."""
        found = [self]
        for child in self.properties:
            found.extend(child.walk())
        if self.items is not None:
            found.extend(self.items.walk())
        return found


def read_fields(properties: Sequence[SchemaProperty] | None, *, path: str, doc_path: str) -> tuple[FieldSpec, ...]:
    """The fields declared by ``properties``; structural problems ride along on each field's ``problems``."""
    fields: list[FieldSpec] = []
    seen: set[str] = set()
    for index, prop in enumerate(properties or []):
        name = prop.name or f"#{index}"
        field_doc_path = f"{doc_path}.properties[{name}]"
        duplicate = name in seen
        seen.add(name)
        field_spec = _read_field(prop, name=name, path=f"{path}.{name}" if path else name, doc_path=field_doc_path)
        if duplicate:
            problem = Problem(field_doc_path, "duplicate-property", f"property {name!r} is declared more than once")
            field_spec = _with_problem(field_spec, problem)
        fields.append(field_spec)
    return tuple(fields)


def all_problems(fields: Sequence[FieldSpec]) -> list[Problem]:
    """The structural problems of ``fields`` and everything nested in them."""
    return [problem for top in fields for spec in top.walk() for problem in spec.problems]


def _read_field(prop: SchemaProperty, *, name: str, path: str, doc_path: str) -> FieldSpec:
    problems: list[Problem] = []
    logical_type = prop.logicalType
    if logical_type is None:
        problems.append(
            Problem(doc_path, "missing-logical-type", "logicalType is required to derive the payload schema")
        )
    options = dict(prop.logicalTypeOptions or {})
    if logical_type == "date" and options.get("format", "yyyy-MM-dd") != "yyyy-MM-dd":
        problems.append(
            Problem(
                f"{doc_path}.logicalTypeOptions.format",
                "unsupported-format",
                f"dates are exchanged as ISO 8601 (yyyy-MM-dd); {options['format']!r} cannot be derived",
            )
        )
    allowed_values, allowed_problems = _allowed_values(prop.quality or [], doc_path)
    problems.extend(allowed_problems)
    properties: tuple[FieldSpec, ...] = ()
    items: FieldSpec | None = None
    if logical_type == "object":
        properties = read_fields(prop.properties, path=path, doc_path=doc_path)
        if not properties:
            problems.append(
                Problem(doc_path, "object-without-properties", "an object property must list its properties")
            )
    elif logical_type == "array":
        if prop.items is None:
            problems.append(Problem(doc_path, "array-without-items", "an array property must describe its items"))
        else:
            items = _read_field(prop.items, name="[]", path=f"{path}[]", doc_path=f"{doc_path}.items")
    elif prop.properties or prop.items is not None:
        problems.append(
            Problem(doc_path, "unexpected-nesting", f"a {logical_type} property cannot have properties or items")
        )
    return FieldSpec(
        name=name,
        path=path,
        doc_path=doc_path,
        logical_type=logical_type,
        required=bool(prop.required),
        required_declared=prop.required is not None,
        description=prop.description,
        classification=prop.classification,
        pii=any(tag.lower() == PII_TAG for tag in prop.tags or []),
        examples=tuple(prop.examples) if prop.examples is not None else None,
        options=MappingProxyType(options),
        allowed_values=allowed_values,
        extensible_enum=_custom_flag(prop.customProperties, EXTENSIBLE_ENUM_PROPERTY),
        primary_key=bool(prop.primaryKey),
        properties=properties,
        items=items,
        problems=tuple(problems),
    )


def _allowed_values(rules: Sequence[DataQuality], doc_path: str) -> tuple[tuple[Any, ...] | None, list[Problem]]:
    """The values an ``invalidValues`` rule with ``validValues`` and ``mustBe: 0`` allows (an enum)."""
    found: list[tuple[Any, ...]] = []
    problems: list[Problem] = []
    for rule in rules:
        valid_values = (rule.arguments or {}).get("validValues")
        if rule.metric != "invalidValues" or valid_values is None or not is_hard_rule(rule):
            continue
        if not isinstance(valid_values, list) or not valid_values:
            problems.append(
                Problem(
                    f"{doc_path}.quality[{rule.id or rule.name or 'invalidValues'}].arguments",
                    "invalid-valid-values",
                    "validValues must be a non-empty list",
                )
            )
            continue
        found.append(tuple(valid_values))
    if len(found) > 1:
        problems.append(
            Problem(
                f"{doc_path}.quality",
                "allowed-values-twice",
                "allowed values are declared by more than one invalidValues rule; keep one",
            )
        )
    return (found[0] if found else None), problems


def is_hard_rule(rule: DataQuality) -> bool:
    """Whether a library rule forbids every bad row (``mustBe: 0``, error severity): a per-record constraint."""
    severity = (rule.severity or "error").lower()
    return rule.mustBe == 0 and severity == "error" and (rule.unit in (None, "rows"))


def _custom_flag(properties: Sequence[CustomProperty] | None, name: str) -> bool:
    return any(p.property == name and p.value is True for p in properties or [])


def _with_problem(spec: FieldSpec, problem: Problem) -> FieldSpec:
    return replace(spec, problems=(*spec.problems, problem))
