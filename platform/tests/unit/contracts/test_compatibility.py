"""Breaking-change classification: a table of changes, each checked in both directions, and semantic versioning."""

from __future__ import annotations

from typing import Any

import pytest

from mesh_platform.contracts.compatibility import Impact, diff_contracts
from mesh_platform.contracts.product import DataProductContract

from .contract_documents import (
    OPTIONAL_FIELD,
    WEIGHT_CLASSES,
    ContractDocuments,
    Edit,
    add_property,
    combined,
    drop_attribute,
    set_attribute,
    set_http_location,
    set_options,
    set_topic,
)

D = ContractDocuments
B, C, DOC = Impact.BREAKING, Impact.COMPATIBLE, Impact.DOCUMENTATION
PRODUCT = {
    "F": ("roster", "fighters"),
    "R": ("results", "bout-results"),
    "K": ("stats", "rankings"),
    "S": ("stats", "fighter-records"),
}


def _allowed(name: str, values: list[Any] | None) -> Edit:
    """Replace (or with None remove) the allowed values of a property."""

    def edit(document: dict[str, Any]) -> None:
        prop = D.prop(document, name)
        rules = [q for q in prop.get("quality", []) if q.get("metric") != "invalidValues"]
        if values is not None:
            rules.append({"metric": "invalidValues", "arguments": {"validValues": values}, "mustBe": 0})
        prop["quality"] = rules

    return edit


def _extensible(name: str) -> Edit:
    return set_attribute(f"{name}.customProperties", [{"property": "extensibleEnum", "value": True}])


def _drop_nested(array: str, name: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        items = D.prop(document, array)["items"]
        items["properties"] = [p for p in items["properties"] if p["name"] != name]

    return edit


def _add_nested(array: str, **prop: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        D.prop(document, array)["items"]["properties"].append(prop)

    return edit


def _drop_event_type(event_type: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        holder = D.custom(D.kafka(document), "eventTypes")
        holder["value"] = [e for e in holder["value"] if e["type"] != event_type]

    return edit


def _retired_event_gets_own_schema(document: dict[str, Any]) -> None:
    record = document["schema"][0]
    keep = [p for p in record["properties"] if p["name"] in ("fighter_id", "status", "updated_at")]
    document["schema"].append(
        {
            "name": "fighter_retirements",
            "logicalType": "object",
            "description": "What a retirement event carries.",
            "properties": keep,
        }
    )
    event = next(e for e in D.custom(D.kafka(document), "eventTypes")["value"] if e["type"].endswith("retired.v1"))
    event["schema"] = "fighter_retirements"


def _kafka(key: str, value: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        D.kafka(document)[key] = value

    return edit


def _sla_freshness(value: int) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        next(s for s in document["slaProperties"] if s["property"] == "freshness")["value"] = value

    return edit


RETIRED = "octagon.roster.fighter.retired.v1"

# (case, product, edit turning version A into version B, A→B verdicts, B→A verdicts)
CASES: list[tuple[str, str, Edit, set[tuple[str, Impact]], set[tuple[str, Impact]]]] = [
    (
        "optional property",
        "F",
        add_property(**OPTIONAL_FIELD),
        {("optional-property-added", C)},
        {("property-removed", B)},
    ),
    (
        "required property",
        "F",
        add_property(**{**OPTIONAL_FIELD, "required": True}),
        {("required-property-added", B)},
        {("property-removed", B)},
    ),
    ("type", "F", set_attribute("height_cm.logicalType", "number"), {("type-changed", B)}, {("type-changed", B)}),
    (
        "requiredness",
        "F",
        set_attribute("nationality.required", False),
        {("nullable-added", B)},
        {("optional-to-required", B)},
    ),
    (
        "closed list of values",
        "F",
        _allowed("stance", ["orthodox", "southpaw"]),
        {("enum-narrowed", B)},
        {("enum-widened", B)},
    ),
    (
        "extensible list of values",
        "F",
        _allowed("weight_class", [*WEIGHT_CLASSES, "super_heavyweight"]),
        {("enum-widened", C)},
        {("enum-narrowed", B)},
    ),
    (
        "list of values on a free field",
        "F",
        _allowed("nationality", ["IE", "BR", "US"]),
        {("enum-added", B)},
        {("enum-widened", B)},
    ),
    ("extensible list dropped", "F", _allowed("weight_class", None), {("enum-widened", C)}, {("enum-added", B)}),
    ("list declared extensible", "F", _extensible("stance"), {("enum-made-extensible", B)}, {("enum-made-closed", C)}),
    ("maximum", "F", set_options("height_cm", maximum=220), {("constraint-tightened", B)}, {("constraint-loosened", C)}),
    ("minimum", "F", set_options("reach_cm", minimum=150), {("constraint-tightened", B)}, {("constraint-loosened", C)}),
    ("maxLength", "F", set_options("name", maxLength=60), {("constraint-tightened", B)}, {("constraint-loosened", C)}),
    ("minLength", "F", set_options("nickname", minLength=3), {("constraint-tightened", B)}, {("constraint-loosened", C)}),
    (
        "pattern dropped",
        "F",
        set_options("nationality", pattern=None),
        {("constraint-loosened", C)},
        {("constraint-tightened", B)},
    ),
    (
        "pattern changed",
        "F",
        set_options("nationality", pattern="^[A-Z]{2,3}$"),
        {("constraint-tightened", B)},
        {("constraint-tightened", B)},
    ),
    (
        "format dropped",
        "F",
        set_options("fighter_id", format=None),
        {("constraint-loosened", C)},
        {("constraint-tightened", B)},
    ),
    (
        "exclusive bound",
        "F",
        set_options("height_cm", minimum=None, exclusiveMinimum=140),
        {("constraint-tightened", B)},
        {("constraint-loosened", C)},
    ),
    ("equivalent bound", "F", set_options("height_cm", minimum=None, exclusiveMinimum=139), set(), set()),
    (
        "multipleOf",
        "S",
        set_options("fights_per_year", multipleOf=0.25),
        {("constraint-tightened", B)},
        {("constraint-loosened", C)},
    ),
    (
        "array length",
        "R",
        set_options("judges_scores", minItems=2),
        {("constraint-loosened", C)},
        {("constraint-tightened", B)},
    ),
    (
        "unique items",
        "R",
        set_options("judges_scores", uniqueItems=True),
        {("constraint-tightened", B)},
        {("constraint-loosened", C)},
    ),
    (
        "classification changed",
        "F",
        set_attribute("stance.classification", "internal"),
        {("classification-changed", B)},
        {("classification-changed", B)},
    ),
    (
        "classification removed",
        "F",
        drop_attribute("stance.classification"),
        {("classification-removed", B)},
        {("classification-added", C)},
    ),
    ("personal data tag", "F", set_attribute("nickname.tags", ["pii"]), {("pii-changed", B)}, {("pii-changed", B)}),
    (
        "key",
        "F",
        combined(set_attribute("fighter_id.primaryKey", False), set_attribute("name.primaryKey", True)),
        {("key-changed", B)},
        {("key-changed", B)},
    ),
    (
        "nested property",
        "R",
        _drop_nested("judges_scores", "judge"),
        {("property-removed", B)},
        {("required-property-added", B)},
    ),
    (
        "nested optional property",
        "K",
        _add_nested("entries", **OPTIONAL_FIELD),
        {("optional-property-added", C)},
        {("property-removed", B)},
    ),
    (
        "HTTP port path",
        "F",
        set_http_location("http://127.0.0.1:8001/data-products/fighter-list/v1"),
        {("port-path-changed", B)},
        {("port-path-changed", B)},
    ),
    ("topic", "F", set_topic("roster.fighter-list.v1"), {("topic-changed", B)}, {("topic-changed", B)}),
    ("event type", "F", _drop_event_type(RETIRED), {("event-type-removed", B)}, {("event-type-added", C)}),
    (
        "event schema diverges",
        "F",
        _retired_event_gets_own_schema,
        {("property-removed", B)},
        {("required-property-added", B), ("optional-property-added", C)},
    ),
    ("message format", "F", _kafka("format", "avro"), {("event-format-changed", B)}, {("event-format-changed", B)}),
    (
        "description",
        "F",
        set_attribute("stance.description", "How the fighter stands: lead foot and hand."),
        {("description-changed", DOC)},
        {("description-changed", DOC)},
    ),
    (
        "examples",
        "F",
        set_attribute("stance.examples", ["switch"]),
        {("examples-changed", DOC)},
        {("examples-changed", DOC)},
    ),
    ("SLO", "F", _sla_freshness(2), {("metadata-changed", DOC)}, {("metadata-changed", DOC)}),
    (
        "broker address",
        "F",
        _kafka("host", "kafka.internal:9092"),
        {("server-details-changed", DOC)},
        {("server-details-changed", DOC)},
    ),
]


def _contract(document: dict[str, Any]) -> DataProductContract:
    return D.build(document)


@pytest.fixture(scope="module")
def originals() -> dict[str, tuple[dict[str, Any], DataProductContract]]:
    docs = ContractDocuments()
    loaded = {key: docs.load(*product) for key, product in PRODUCT.items()}
    return {key: (document, _contract(document)) for key, document in loaded.items()}


def _verdicts(before: DataProductContract, after: DataProductContract, documentation: bool) -> set[tuple[str, Impact]]:
    return {(c.rule, c.impact) for c in diff_contracts(before, after) if documentation or c.impact is not DOC}


@pytest.mark.parametrize("direction", ["A→B", "B→A"])
@pytest.mark.parametrize(("product", "edit", "forward", "backward"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_change_is_classified_in_both_directions(
    originals: dict[str, tuple[dict[str, Any], DataProductContract]],
    product: str,
    edit: Edit,
    forward: set[tuple[str, Impact]],
    backward: set[tuple[str, Impact]],
    direction: str,
) -> None:
    document, original = originals[product]
    changed_document = D.load_copy(document)
    edit(changed_document)
    changed = _contract(changed_document)
    before, after, expected = (original, changed, forward) if direction == "A→B" else (changed, original, backward)
    documentation = any(impact is DOC for _, impact in expected)
    assert _verdicts(before, after, documentation) == expected


def test_the_table_has_at_least_25_cases_covering_every_verdict() -> None:
    assert len(CASES) >= 25
    verdicts = {v for case in CASES for v in case[3] | case[4]}
    assert {impact for _, impact in verdicts} == {B, C, DOC}


def test_a_change_names_its_path_values_and_reason(originals: dict[str, Any]) -> None:
    document, original = originals["F"]
    changed_document = D.load_copy(document)
    set_options("height_cm", maximum=220)(changed_document)
    [change] = diff_contracts(original, _contract(changed_document))
    assert (change.path, change.before, change.after, change.breaking) == ("fighters.height_cm.maximum", 230, 220, True)
    assert "data written under the earlier version" in change.reason


def test_nested_changes_are_reported_at_the_nested_path(originals: dict[str, Any]) -> None:
    document, original = originals["R"]
    changed_document = D.load_copy(document)
    _drop_nested("judges_scores", "judge")(changed_document)
    [change] = [c for c in diff_contracts(original, _contract(changed_document)) if c.breaking]
    assert change.path == "bout_results.judges_scores[].judge"


def test_diverging_event_schema_is_reported_under_the_event_type(originals: dict[str, Any]) -> None:
    document, original = originals["F"]
    changed_document = D.load_copy(document)
    _retired_event_gets_own_schema(changed_document)
    paths = {c.path for c in diff_contracts(original, _contract(changed_document)) if c.breaking}
    assert f"eventTypes[{RETIRED}].name" in paths
    assert not any(p.startswith("eventTypes[octagon.roster.fighter.registered.v1]") for p in paths)
    assert not any(p.startswith("fighters.") for p in paths), "the record itself did not change"
