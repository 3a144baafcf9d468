"""Our own rules for contracts, beyond ODCS validity: ownership, SLOs, descriptions, classification, personal data,
and the naming conventions the platform derives ports from (DESIGN §4-§5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from open_data_contract_standard.model import OpenDataContractStandard

from mesh_platform.contracts.documents import Problem
from mesh_platform.contracts.fields import CLASSIFICATIONS, FieldSpec, read_fields
from mesh_platform.contracts.json_schema import PayloadValidator, field_schema
from mesh_platform.contracts.product import DataProductContract

STATUSES = ("proposed", "draft", "active", "deprecated", "retired")
# Names that denote personal data about a natural person; such fields must carry the `pii` tag.
PERSONAL_DATA_NAME = re.compile(
    r"(^|_)(date_of_birth|birth_?date|birthday|dob|email|e_mail|phone|mobile|address|street|postcode|zip_?code"
    r"|passport|national_id|ssn|social_security|tax_id|ip_address|medical|health)(_|$)"
)
_MIN_DESCRIPTION = 8

DocumentRule = Callable[[OpenDataContractStandard], Iterable[Problem]]
ContractRule = Callable[[DataProductContract], Iterable[Problem]]


def document_problems(odcs: OpenDataContractStandard) -> list[Problem]:
    """Findings that need only the ODCS document (they are reported even when the contract is not usable)."""
    return [problem for rule in DOCUMENT_RULES for problem in rule(odcs)]


def contract_problems(contract: DataProductContract) -> list[Problem]:
    """Findings about the product: SLOs, ports, record, and every field of every schema object."""
    problems = [problem for rule in CONTRACT_RULES for problem in rule(contract)]
    for schema_object in contract.odcs.schema_ or []:
        fields = read_fields(schema_object.properties, path="", doc_path=f"schema[{schema_object.name}]")
        problems.extend(p for top in fields for spec in top.walk() for p in field_problems(spec))
    return problems


def owner_rule(odcs: OpenDataContractStandard) -> Iterable[Problem]:
    team = odcs.team
    if team is None or isinstance(team, list) or not team.name:
        yield Problem(
            "team", "owner", "the contract needs a team object with the owning team's name (e.g. roster-team)"
        )
        return
    if not any((member.role or "").lower() == "owner" for member in team.members or []):
        yield Problem("team.members", "owner", "one team member must have role 'owner' (who answers for the product)")


def description_rule(odcs: OpenDataContractStandard) -> Iterable[Problem]:
    description = odcs.description
    for part in ("purpose", "usage", "limitations"):
        if not (getattr(description, part, None) or "").strip():
            yield Problem(f"description.{part}", "contract-description", f"describe the product's {part}")


def metadata_rule(odcs: OpenDataContractStandard) -> Iterable[Problem]:
    if not odcs.support:
        yield Problem("support", "support", "declare at least one support channel")
    if not odcs.tags:
        yield Problem("tags", "tags", "tag the contract so the catalog can find it")
    if odcs.status not in STATUSES:
        yield Problem("status", "status", f"status must be one of {', '.join(STATUSES)}, found {odcs.status!r}")


def sunset_rule(contract: DataProductContract) -> Iterable[Problem]:
    if contract.deprecated and contract.sunset is None:
        yield Problem(
            "customProperties",
            "sunset-date",
            "a deprecated major needs a customProperty sunsetDate (yyyy-MM-dd) until which it stays live",
        )


def slo_rule(contract: DataProductContract) -> Iterable[Problem]:
    slas = {sla.property: sla for sla in contract.odcs.slaProperties or []}
    freshness = slas.get("freshness")
    if freshness is None or freshness.value is None or not freshness.unit:
        yield Problem("slaProperties", "slo-freshness", "declare a freshness SLO (property freshness, value, unit)")
    else:
        element = freshness.element or ""
        record, _, field_name = element.partition(".")
        timestamp_fields = {f.name for f in contract.fields if f.logical_type == "timestamp"}
        if record != contract.record_name or field_name not in timestamp_fields:
            yield Problem(
                "slaProperties[freshness].element",
                "slo-freshness",
                f"freshness must name the record's timestamp it is measured on "
                f"({contract.record_name}.<{'|'.join(sorted(timestamp_fields)) or 'timestamp'}>), "
                f"found {element!r}",
            )
    availability = slas.get("availability")
    if availability is None or not isinstance(availability.value, (int, float)) or availability.unit != "percent":
        yield Problem(
            "slaProperties",
            "slo-availability",
            "declare an availability SLO (property availability, value, unit percent)",
        )
    elif not 0 < availability.value <= 100:
        yield Problem("slaProperties[availability].value", "slo-availability", "availability is a percentage (0, 100]")


def ports_rule(contract: DataProductContract) -> Iterable[Problem]:
    expected_path = f"/data-products/{contract.product}/v{contract.major}"
    if contract.http_path != expected_path:
        yield Problem(
            "servers[http].location",
            "http-port-path",
            f"the HTTP port of major {contract.major} must be {expected_path}, found {contract.http_path!r}",
        )
    expected_topic = f"{contract.domain}.{contract.product}.v{contract.major}"
    if contract.topic != expected_topic:
        yield Problem(
            "servers[kafka].customProperties[topic]",
            "topic-name",
            f"the topic of major {contract.major} must be {expected_topic}, found {contract.topic!r}",
        )
    pattern = re.compile(
        rf"^octagon\.{re.escape(contract.domain)}\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v{contract.major}$"
    )
    for event_type in contract.event_types:
        if not pattern.match(event_type):
            yield Problem(
                f"servers[kafka].customProperties[eventTypes].value[{event_type}]",
                "event-type-name",
                f"event types are octagon.{contract.domain}.<entity>.<verb in past tense>.v{contract.major}",
            )


def record_rule(contract: DataProductContract) -> Iterable[Problem]:
    expected = contract.product.replace("-", "_")
    if contract.record_name != expected:
        yield Problem(
            f"schema[{contract.record_name}]",
            "record-name",
            f"the record schema object should be named {expected!r} after the product",
            "warning",
        )
    if contract.fields and not contract.fields[0].primary_key:
        yield Problem(
            f"schema[{contract.record_name}].properties[{contract.key_field}]",
            "key-first",
            "the key property must come first",
        )
    example = contract.example_record()
    if len(example) == len(contract.fields):
        try:
            contract.validate_record(example)
        except ValueError as e:
            yield Problem(
                f"schema[{contract.record_name}]",
                "record-example",
                f"the record made of each property's first example does not conform: {e}",
            )


def field_problems(spec: FieldSpec) -> list[Problem]:
    """Findings for one field (call for every field, nested ones included)."""
    problems: list[Problem] = []
    at = spec.doc_path
    description = (spec.description or "").strip()
    if len(description) < _MIN_DESCRIPTION or description.lower().replace(" ", "_") == spec.name.lower():
        problems.append(
            Problem(f"{at}.description", "property-description", "describe what the value means (not just its name)")
        )
    if spec.classification not in CLASSIFICATIONS:
        found = f", found {spec.classification!r}" if spec.classification else ""
        problems.append(
            Problem(
                f"{at}.classification",
                "property-classification",
                f"classify the property as {', '.join(CLASSIFICATIONS)}{found}",
            )
        )
    if not spec.required_declared:
        problems.append(Problem(f"{at}.required", "property-required", "say whether the property is required"))
    problems.extend(_personal_data_problems(spec))
    problems.extend(_example_problems(spec))
    if spec.logical_type == "timestamp" and spec.options.get("timezone") is not True:
        problems.append(
            Problem(
                f"{at}.logicalTypeOptions.timezone",
                "timestamp-timezone",
                "timestamps are exchanged with their offset (RFC 3339): set timezone: true",
            )
        )
    if spec.allowed_values is not None:
        base = PayloadValidator(
            spec.path,
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                **field_schema(_without_allowed_values(spec), annotations=False),
            },
        )
        for value in spec.allowed_values:
            if not base.is_valid(value):
                problems.append(
                    Problem(
                        f"{at}.quality", "allowed-values", f"allowed value {value!r} is not a valid {spec.logical_type}"
                    )
                )
    return problems


def _personal_data_problems(spec: FieldSpec) -> list[Problem]:
    problems: list[Problem] = []
    if PERSONAL_DATA_NAME.search(spec.name.lower()) and not spec.pii:
        problems.append(
            Problem(
                f"{spec.doc_path}.tags",
                "pii-tag",
                f"{spec.name!r} looks like personal data: tag it 'pii' (and classify it restricted)",
            )
        )
    if spec.pii and spec.classification != "restricted":
        problems.append(
            Problem(
                f"{spec.doc_path}.classification",
                "pii-classification",
                "personal data (tag pii) must be classified restricted",
            )
        )
    if spec.pii and spec.required:
        problems.append(
            Problem(
                f"{spec.doc_path}.required",
                "pii-nullable",
                "personal data is masked to null without the PII scope, so it cannot be required",
            )
        )
    return problems


def _example_problems(spec: FieldSpec) -> list[Problem]:
    if not spec.examples:
        return [Problem(f"{spec.doc_path}.examples", "property-examples", "give at least one example value")]
    validator = PayloadValidator(
        spec.path, {"$schema": "http://json-schema.org/draft-07/schema#", **field_schema(spec, annotations=False)}
    )
    problems = []
    for example in spec.examples:
        try:
            validator(example)
        except ValueError as e:
            problems.append(
                Problem(
                    f"{spec.doc_path}.examples",
                    "example-conformity",
                    f"example {example!r} does not conform to the property: {e}",
                )
            )
    return problems


def _without_allowed_values(spec: FieldSpec) -> FieldSpec:
    return replace(spec, allowed_values=None)


DOCUMENT_RULES: tuple[DocumentRule, ...] = (owner_rule, description_rule, metadata_rule)
CONTRACT_RULES: tuple[ContractRule, ...] = (sunset_rule, slo_rule, ports_rule, record_rule)
