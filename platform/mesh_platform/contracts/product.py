"""One major version of one data product, as its ODCS contract defines it.

Conventions the contract must follow so the platform can derive its ports (README of ``contracts/``):

* ``id`` is ``<domain>.<product>``; the first schema object is the product record; one property is the key.
* one ``api`` server whose ``location`` is the HTTP output port (and optionally one more, with id ``analytical``:
  the analytical port, see :mod:`mesh_platform.http.analytical`);
* one ``kafka`` server with custom properties ``topic`` (the topic name) and ``eventTypes`` (a list of
  ``{type, schema, description}``: each CloudEvents type published on the topic and the schema object its data
  follows).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from open_data_contract_standard.model import CustomProperty, OpenDataContractStandard, SchemaObject, Server

from mesh_platform.contracts.documents import Problem, document_path, odcs_problems, parse_odcs, read_document
from mesh_platform.contracts.errors import ContractError, UnknownDataProduct
from mesh_platform.contracts.fields import FieldSpec, all_problems, read_fields
from mesh_platform.contracts.json_schema import PayloadValidator, object_schema
from mesh_platform.contracts.semver import parse_version

TOPIC_PROPERTY = "topic"
EVENT_TYPES_PROPERTY = "eventTypes"
SUNSET_PROPERTY = "sunsetDate"
DEPRECATION_PROPERTY = "deprecationDate"
ANALYTICAL_SERVER_ID = "analytical"  # the api server that is the analytical port, not the HTTP output port


@dataclass(frozen=True)
class EventType:
    """A CloudEvents type the product's topic carries and the schema object its data follows."""

    type: str
    schema_name: str
    description: str | None


class DataProductContract:
    """A loaded, structurally sound contract and everything derived from it (schemas, validators, ports).

    Build one with :meth:`from_text` or :meth:`from_document`; both raise :class:`ContractError` naming the
    source and the path of the first problem. Derived schemas are computed once; validators are compiled once.
    """

    def __init__(self, odcs: OpenDataContractStandard, document: dict[str, Any], source: str) -> None:
        problems = structural_problems(odcs, document)
        if problems:
            first = problems[0]
            raise ContractError(source, first.path, first.message)
        self.odcs = odcs
        self.document = document
        self.source = source
        self.id: str = odcs.id or ""
        self.domain: str = odcs.domain or ""
        self.product: str = self.id.split(".", 1)[1]
        self.version: str = odcs.version or ""
        self.semantic_version = parse_version(self.version)
        self.major: int = self.semantic_version.major
        self.status: str = odcs.status or ""
        self._objects: dict[str, SchemaObject] = {obj.name or "": obj for obj in odcs.schema_ or []}
        record = (odcs.schema_ or [])[0]
        self.record_name: str = record.name or ""
        self.fields: tuple[FieldSpec, ...] = read_fields(
            record.properties, path="", doc_path=f"schema[{self.record_name}]"
        )
        self.key_field: str = next(spec.name for spec in self.fields if spec.primary_key)
        self.event_type_specs: tuple[EventType, ...] = tuple(_event_types(_kafka_server(odcs)))
        self.topic: str = str(_custom_value(_kafka_server(odcs).customProperties, TOPIC_PROPERTY))
        self.http_url: str = str(_api_server(odcs).location)
        self.http_path: str = urlparse(self.http_url).path.rstrip("/")
        self.sunset: date | None = _custom_date(odcs, SUNSET_PROPERTY)
        # When the major was deprecated (RFC 9745 `Deprecation` header); optional.
        self.deprecated_on: date | None = _custom_date(odcs, DEPRECATION_PROPERTY)
        self._event_validators: dict[str, PayloadValidator] = {}

    @classmethod
    def from_text(cls, text: str, source: str | Path) -> DataProductContract:
        """Parse, validate against ODCS v3.1.0 and build; :class:`ContractError` on the first problem."""
        return cls.from_document(read_document(text, source), source)

    @classmethod
    def from_document(cls, document: dict[str, Any], source: str | Path) -> DataProductContract:
        """Validate a parsed document against ODCS v3.1.0 and build; :class:`ContractError` on the first problem."""
        problems = odcs_problems(document)
        if problems:
            raise ContractError(source, problems[0].path, problems[0].message)
        return cls(parse_odcs(document, source), document, str(source))

    # identity -------------------------------------------------------------------------------------------------

    @property
    def identity(self) -> tuple[str, str, int]:
        """``(domain, product, major)``: what a registry, the catalog and the compatibility check key on."""
        return (self.domain, self.product, self.major)

    @property
    def owner(self) -> str | None:
        """The owning team's name."""
        team = self.odcs.team
        return getattr(team, "name", None)

    @property
    def deprecated(self) -> bool:
        """Whether this major is on its way out (``status: deprecated``)."""
        return self.status == "deprecated"

    # schema ---------------------------------------------------------------------------------------------------

    @property
    def record_schema(self) -> dict[str, Any]:
        """The closed JSON Schema (draft-07) of one record, as served on the HTTP port (a fresh copy each time)."""
        return copy.deepcopy(self._record_schema)

    @cached_property
    def _record_schema(self) -> dict[str, Any]:
        record = self._objects[self.record_name]
        return object_schema(self.fields, title=f"{self.id} v{self.version}", description=record.description)

    @property
    def event_types(self) -> list[str]:
        """The CloudEvents types published on :attr:`topic`."""
        return [spec.type for spec in self.event_type_specs]

    def event_schema(self, event_type: str) -> dict[str, Any]:
        """The closed JSON Schema of the data of ``event_type`` (its own copy, so event schemas can diverge)."""
        spec = self.event_type_spec(event_type)
        return object_schema(self.event_fields(event_type), title=event_type, description=spec.description)

    def event_fields(self, event_type: str) -> tuple[FieldSpec, ...]:
        """The fields of the data of ``event_type``."""
        spec = self.event_type_spec(event_type)
        if spec.schema_name == self.record_name:
            return self.fields
        schema_object = self._objects[spec.schema_name]
        return read_fields(schema_object.properties, path="", doc_path=f"schema[{spec.schema_name}]")

    def example_record(self) -> dict[str, Any]:
        """A record made of each field's first example (fields without examples are left out)."""
        return {spec.name: copy.deepcopy(spec.examples[0]) for spec in self.fields if spec.examples}

    @property
    def pii_fields(self) -> set[str]:
        """Paths of the fields tagged ``pii`` (personal data, masked to null without the PII scope)."""
        return {spec.path for top in self.fields for spec in top.walk() if spec.pii}

    @cached_property
    def _fields_by_path(self) -> Mapping[str, FieldSpec]:
        return {spec.path: spec for top in self.fields for spec in top.walk()}

    def field(self, path: str) -> FieldSpec:
        """The field at ``path`` (``name``, ``entries[].rank``); :class:`KeyError` if the contract has none."""
        return self._fields_by_path[path]

    def classification_of(self, path: str) -> str | None:
        """The classification (public, internal, restricted) of the field at ``path``."""
        return self.field(path).classification

    # validation -----------------------------------------------------------------------------------------------

    @cached_property
    def record_validator(self) -> PayloadValidator:
        """The compiled validator of :attr:`record_schema`."""
        return PayloadValidator(self.id, object_schema(self.fields, annotations=False))

    def event_validator(self, event_type: str) -> PayloadValidator:
        """The compiled validator of :meth:`event_schema` (compiled once, then reused)."""
        validators = self._event_validators
        if event_type not in validators:
            fields = self.event_fields(event_type)
            validators[event_type] = PayloadValidator(event_type, object_schema(fields, annotations=False))
        return validators[event_type]

    def validate_record(self, record: Any) -> None:
        """Raise :class:`ContractViolation` (path, reason) unless ``record`` conforms to :attr:`record_schema`."""
        self.record_validator(record)

    def validate_event(self, event_type: str, data: Any) -> None:
        """Raise :class:`ContractViolation` unless ``data`` conforms to the schema of ``event_type``.

        :class:`UnknownDataProduct` if this contract does not publish ``event_type``.
        """
        self.event_validator(event_type)(data)

    def event_type_spec(self, event_type: str) -> EventType:
        """The declaration of ``event_type``; :class:`UnknownDataProduct` if this contract does not publish it."""
        for spec in self.event_type_specs:
            if spec.type == event_type:
                return spec
        raise UnknownDataProduct(f"{self.id} v{self.major} publishes no event type {event_type!r}")

    def __repr__(self) -> str:
        return f"DataProductContract({self.id!r}, version={self.version!r}, source={self.source!r})"


def structural_problems(odcs: OpenDataContractStandard, document: dict[str, Any]) -> list[Problem]:
    """What stops the platform from deriving ports and schemas from a (valid ODCS) contract."""
    problems: list[Problem] = []
    domain, contract_id = odcs.domain, odcs.id or ""
    if not domain:
        problems.append(Problem("domain", "missing-domain", "the owning domain is required"))
    elif not contract_id.startswith(f"{domain}.") or len(contract_id) == len(domain) + 1:
        problems.append(
            Problem("id", "id-format", f"id must be '<domain>.<product>' ({domain}.<product>), found {contract_id!r}")
        )
    try:
        parse_version(odcs.version or "")
    except ValueError as e:
        problems.append(Problem("version", "semantic-version", str(e)))
    objects = odcs.schema_ or []
    if not objects:
        problems.append(Problem("schema", "missing-record", "the first schema object must define the product record"))
    names = [obj.name for obj in objects]
    for index, name in enumerate(names):
        if name in names[:index]:
            problems.append(
                Problem(
                    document_path(document, ["schema", index]),
                    "duplicate-schema-object",
                    f"schema object {name!r} is declared more than once",
                )
            )
    for obj in objects:
        fields = read_fields(obj.properties, path="", doc_path=f"schema[{obj.name}]")
        problems.extend(all_problems(fields))
        if obj is objects[0]:
            keys = [spec.name for spec in fields if spec.primary_key]
            if len(keys) != 1:
                problems.append(
                    Problem(
                        f"schema[{obj.name}]",
                        "key-field",
                        f"the record needs exactly one primaryKey property, found {len(keys)}",
                    )
                )
            elif not next(spec for spec in fields if spec.primary_key).required:
                problems.append(
                    Problem(
                        f"schema[{obj.name}].properties[{keys[0]}]", "key-field", "the key property must be required"
                    )
                )
    problems.extend(_server_problems(odcs, document, names))
    for name in (SUNSET_PROPERTY, DEPRECATION_PROPERTY):
        date_problem = _date_problem(odcs, name)
        if date_problem is not None:
            problems.append(date_problem)
    return problems


def _server_problems(
    odcs: OpenDataContractStandard, document: dict[str, Any], names: Sequence[str | None]
) -> list[Problem]:
    problems: list[Problem] = []
    servers = odcs.servers or []
    api = [s for s in servers if s.type == "api" and s.id != ANALYTICAL_SERVER_ID]
    kafka = [s for s in servers if s.type == "kafka"]
    if len(api) != 1:
        problems.append(
            Problem(
                "servers",
                "http-port",
                f"exactly one server of type api (the HTTP output port) is required, found {len(api)}",
            )
        )
    if len(kafka) != 1:
        problems.append(
            Problem(
                "servers",
                "event-port",
                f"exactly one server of type kafka (the event output port) is required, found {len(kafka)}",
            )
        )
        return problems
    server_path = f"servers[{kafka[0].id or kafka[0].server}]"
    topic = _custom_value(kafka[0].customProperties, TOPIC_PROPERTY)
    if not isinstance(topic, str) or not topic:
        problems.append(
            Problem(
                f"{server_path}.customProperties[{TOPIC_PROPERTY}]",
                "topic",
                "the kafka server needs a customProperty 'topic' naming the topic",
            )
        )
    raw_types = _custom_value(kafka[0].customProperties, EVENT_TYPES_PROPERTY)
    types_path = f"{server_path}.customProperties[{EVENT_TYPES_PROPERTY}]"
    if not isinstance(raw_types, list) or not raw_types:
        problems.append(
            Problem(
                types_path,
                "event-types",
                "the kafka server needs a customProperty 'eventTypes': a list of {type, schema, description}",
            )
        )
        return problems
    seen: set[str] = set()
    for index, item in enumerate(raw_types):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("type"), str)
            or not isinstance(item.get("schema"), str)
        ):
            problems.append(
                Problem(
                    f"{types_path}.value[{index}]", "event-types", "each event type needs 'type' and 'schema' strings"
                )
            )
            continue
        unknown = set(item) - {"type", "schema", "description"}
        if unknown:
            problems.append(
                Problem(
                    f"{types_path}.value[{item['type']}]",
                    "event-types",
                    f"unknown keys {sorted(unknown)}; allowed: type, schema, description",
                )
            )
        if item["type"] in seen:
            problems.append(
                Problem(
                    f"{types_path}.value[{item['type']}]",
                    "event-types",
                    f"event type {item['type']!r} is listed more than once",
                )
            )
        seen.add(item["type"])
        if item["schema"] not in names:
            problems.append(
                Problem(
                    f"{types_path}.value[{item['type']}].schema",
                    "event-types",
                    f"schema object {item['schema']!r} is not declared in schema",
                )
            )
    return problems


def _api_server(odcs: OpenDataContractStandard) -> Server:
    return next(s for s in odcs.servers or [] if s.type == "api" and s.id != ANALYTICAL_SERVER_ID)


def _kafka_server(odcs: OpenDataContractStandard) -> Server:
    return next(s for s in odcs.servers or [] if s.type == "kafka")


def _event_types(server: Server) -> list[EventType]:
    raw = _custom_value(server.customProperties, EVENT_TYPES_PROPERTY) or []
    return [EventType(item["type"], item["schema"], item.get("description")) for item in raw]


def _custom_value(properties: Sequence[CustomProperty] | None, name: str) -> Any:
    return next((p.value for p in properties or [] if p.property == name), None)


def _custom_date(odcs: OpenDataContractStandard, name: str) -> date | None:
    value = _custom_value(odcs.customProperties, name)
    return date.fromisoformat(str(value)) if value is not None else None


def _date_problem(odcs: OpenDataContractStandard, name: str) -> Problem | None:
    value = _custom_value(odcs.customProperties, name)
    if value is None:
        return None
    try:
        date.fromisoformat(str(value))
    except ValueError:
        rule = "sunset-date" if name == SUNSET_PROPERTY else "deprecation-date"
        return Problem(f"customProperties[{name}]", rule, f"{name} must be an ISO date (yyyy-MM-dd), found {value!r}")
    return None
