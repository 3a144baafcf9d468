"""`mesh contracts lint`: one failing case per rule, each naming the file and the path; bad input never crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh_tools.cli.contracts_command import contracts_app
from mesh_tools.contracts.lint import lint_paths

from .contract_documents import (
    CONTRACTS_DIR,
    ContractDocuments,
    Edit,
    add_property,
    as_deprecated,
    as_major_two,
    drop_attribute,
    drop_sla,
    move_key_last,
    remove_owner_role,
    set_attribute,
    set_document,
    set_first_event_type,
    set_http_location,
    set_topic,
)

D = ContractDocuments

EMAIL = {
    "name": "contact_email",
    "logicalType": "string",
    "required": False,
    "classification": "restricted",
    "description": "Address the roster writes to about contracts.",
    "examples": ["a@example.org"],
}

CASES = [
    # (id, edit, rule, path)
    (
        "unknown logicalType",
        set_attribute("height_cm.logicalType", "int"),
        "odcs-logical-type",
        "schema[fighters].properties[height_cm].logicalType",
    ),
    (
        "enum keyword is not ODCS v3.1.0",
        set_attribute("stance.enum", ["orthodox"]),
        "odcs-schema",
        "schema[fighters].properties[stance]",
    ),
    ("apiVersion other than v3.1.0", set_document("apiVersion", "v3.0.2"), "odcs-api-version", "apiVersion"),
    (
        "duplicate property names",
        add_property(**{**EMAIL, "name": "stance", "tags": ["pii"]}),
        "duplicate-property",
        "schema[fighters].properties[stance]",
    ),
    ("missing owner team", set_document("team", None), "owner", "team"),
    ("team without an owner", remove_owner_role, "owner", "team.members"),
    ("missing purpose", lambda d: d["description"].pop("purpose"), "contract-description", "description.purpose"),
    ("missing support", set_document("support", None), "support", "support"),
    ("missing tags", set_document("tags", None), "tags", "tags"),
    ("unknown status", set_document("status", "live"), "status", "status"),
    ("deprecated without sunset", set_document("status", "deprecated"), "sunset-date", "customProperties"),
    ("missing freshness SLO", drop_sla("freshness"), "slo-freshness", "slaProperties"),
    ("missing availability SLO", drop_sla("availability"), "slo-availability", "slaProperties"),
    (
        "property without description",
        drop_attribute("stance.description"),
        "property-description",
        "schema[fighters].properties[stance].description",
    ),
    (
        "description restating the name",
        set_attribute("stance.description", "Stance"),
        "property-description",
        "schema[fighters].properties[stance].description",
    ),
    (
        "property without classification",
        drop_attribute("stance.classification"),
        "property-classification",
        "schema[fighters].properties[stance].classification",
    ),
    (
        "unknown classification",
        set_attribute("stance.classification", "secret"),
        "property-classification",
        "schema[fighters].properties[stance].classification",
    ),
    (
        "required not declared",
        drop_attribute("stance.required"),
        "property-required",
        "schema[fighters].properties[stance].required",
    ),
    ("personal data not tagged", add_property(**EMAIL), "pii-tag", "schema[fighters].properties[contact_email].tags"),
    (
        "personal data not restricted",
        set_attribute("date_of_birth.classification", "internal"),
        "pii-classification",
        "schema[fighters].properties[date_of_birth].classification",
    ),
    (
        "personal data required",
        set_attribute("date_of_birth.required", True),
        "pii-nullable",
        "schema[fighters].properties[date_of_birth].required",
    ),
    (
        "no examples",
        drop_attribute("stance.examples"),
        "property-examples",
        "schema[fighters].properties[stance].examples",
    ),
    (
        "example outside the allowed values",
        set_attribute("stance.examples", ["sideways"]),
        "example-conformity",
        "schema[fighters].properties[stance].examples",
    ),
    (
        "example outside the range",
        set_attribute("height_cm.examples", [250]),
        "example-conformity",
        "schema[fighters].properties[height_cm].examples",
    ),
    (
        "timestamp without offset",
        set_attribute("updated_at.logicalTypeOptions", {"timezone": False}),
        "timestamp-timezone",
        "schema[fighters].properties[updated_at].logicalTypeOptions.timezone",
    ),
    (
        "wrong HTTP port path",
        set_http_location("http://127.0.0.1:8001/fighters"),
        "http-port-path",
        "servers[http].location",
    ),
    ("wrong topic name", set_topic("fighters"), "topic-name", "servers[kafka].customProperties[topic]"),
    (
        "event type not in the convention",
        set_first_event_type("FighterRegistered"),
        "event-type-name",
        "servers[kafka].customProperties[eventTypes].value[FighterRegistered]",
    ),
    ("key not first", move_key_last, "key-first", "schema[fighters].properties[fighter_id]"),
    ("no key", set_attribute("fighter_id.primaryKey", False), "key-field", "schema[fighters]"),
    (
        "allowed value of the wrong type",
        lambda d: (
            D.prop(d, "height_cm")
            .setdefault("quality", [])
            .append({"metric": "invalidValues", "arguments": {"validValues": [170, "tall"]}, "mustBe": 0})
        ),
        "allowed-values",
        "schema[fighters].properties[height_cm].quality",
    ),
    ("no topic", lambda d: D.kafka(d)["customProperties"].pop(0), "topic", "servers[kafka].customProperties[topic]"),
    (
        "event type naming an unknown schema",
        lambda d: D.custom(D.kafka(d), "eventTypes")["value"][0].update(schema="fighter"),
        "event-types",
        "servers[kafka].customProperties[eventTypes].value[octagon.roster.fighter.registered.v1].schema",
    ),
]


def _lint_edited(tmp_path: Path, docs: ContractDocuments, edit: Edit, relative: str = "roster/fighters.odcs.yaml"):
    document = docs.load("roster", "fighters")
    edit(document)
    file = docs.write(tmp_path / "contracts", document, relative)
    return file, lint_paths([tmp_path / "contracts"])


@pytest.mark.parametrize(("edit", "rule", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_lint_reports_the_rule_with_file_and_path(
    tmp_path: Path, docs: ContractDocuments, edit: Edit, rule: str, path: str
) -> None:
    file, report = _lint_edited(tmp_path, docs, edit)
    matching = [f for f in report.errors if f.rule == rule]
    assert matching, [str(f) for f in report.findings]
    assert matching[0].file == str(file)
    assert matching[0].path == path
    assert not report.ok


def test_unmodified_copy_lints_clean(tmp_path: Path, docs: ContractDocuments) -> None:
    _, report = _lint_edited(tmp_path, docs, lambda d: None)
    assert report.ok and report.findings == []


def test_file_name_and_id_must_agree(tmp_path: Path, docs: ContractDocuments) -> None:
    file, report = _lint_edited(tmp_path, docs, lambda d: None, relative="roster/boxers.odcs.yaml")
    assert [(f.file, f.path, f.rule) for f in report.errors] == [(str(file), "id", "file-name-id")]
    assert "roster.fighters" in report.errors[0].message and "roster.boxers" in report.errors[0].message


def test_directory_and_domain_must_agree(tmp_path: Path, docs: ContractDocuments) -> None:
    _, report = _lint_edited(tmp_path, docs, lambda d: None, relative="schedule/fighters.odcs.yaml")
    assert {f.rule for f in report.errors} == {"file-name-id", "file-name-domain"}


def test_invalid_yaml_is_a_finding_with_line_and_column(tmp_path: Path) -> None:
    file = tmp_path / "roster" / "fighters.odcs.yaml"
    file.parent.mkdir()
    file.write_text("apiVersion: v3.1.0\nkind: DataContract\nid: [roster.fighters\n", encoding="utf-8")
    report = lint_paths([tmp_path])
    assert [(f.file, f.rule) for f in report.errors] == [(str(file), "yaml")]
    assert report.errors[0].path.startswith("line 4")


def test_duplicate_yaml_keys_are_refused(tmp_path: Path, docs: ContractDocuments) -> None:
    file = tmp_path / "roster" / "fighters.odcs.yaml"
    file.parent.mkdir()
    file.write_text(docs.text("roster", "fighters").replace("status: active\n", "status: active\nstatus: draft\n", 1))
    report = lint_paths([tmp_path])
    assert report.errors[0].rule == "yaml" and "duplicate key 'status'" in report.errors[0].message


def test_older_major_kept_beside_its_successor_must_be_deprecated_with_a_sunset(
    tmp_path: Path, docs: ContractDocuments
) -> None:
    v1 = docs.load("roster", "fighters")
    docs.write(tmp_path, v1, "roster/fighters.v1.odcs.yaml")
    v2 = as_major_two(docs.load("roster", "fighters"))
    docs.write(tmp_path, v2, "roster/fighters.odcs.yaml")
    assert [(Path(f.file).name, f.rule) for f in lint_paths([tmp_path]).errors] == [
        ("fighters.v1.odcs.yaml", "superseded-major")
    ]
    docs.write(tmp_path, as_deprecated(v1, "2030-01-31"), "roster/fighters.v1.odcs.yaml")
    assert lint_paths([tmp_path]).findings == []


# the CLI ---------------------------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_lint_of_the_repository_contracts_exits_0() -> None:
    result = runner.invoke(contracts_app, ["lint", str(CONTRACTS_DIR)])
    assert result.exit_code == 0, result.output
    assert "6 contract(s), 0 error(s)" in result.output


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            set_attribute("height_cm.logicalType", "int"),
            "schema[fighters].properties[height_cm].logicalType: unknown logicalType",
        ),
        (set_document("team", None), "team: the contract needs a team object"),
        (
            add_property(**{**EMAIL, "name": "stance", "tags": ["pii"]}),
            "schema[fighters].properties[stance]: property 'stance' is declared more than once",
        ),
    ],
    ids=["unknown logicalType", "missing owner", "duplicate property"],
)
def test_cli_lint_names_file_and_path_and_exits_1_without_traceback(
    tmp_path: Path, docs: ContractDocuments, edit: Edit, expected: str
) -> None:
    file, _ = _lint_edited(tmp_path, docs, edit)
    result = runner.invoke(contracts_app, ["lint", str(file)])
    assert result.exit_code == 1
    assert f"{file}: {expected}" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_lint_of_invalid_yaml_exits_1_without_traceback(tmp_path: Path) -> None:
    file = tmp_path / "fighters.odcs.yaml"
    file.write_text("id: roster.fighters\n  version: 1.0.0\n", encoding="utf-8")
    result = runner.invoke(contracts_app, ["lint", str(file)])
    assert result.exit_code == 1
    assert f"{file}: line 2, column 10: invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_cli_lint_json_output_lists_findings(tmp_path: Path, docs: ContractDocuments) -> None:
    file, _ = _lint_edited(tmp_path, docs, drop_attribute("stance.classification"))
    result = runner.invoke(contracts_app, ["lint", "--format", "json", str(file)])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["ok"] is False
    assert payload["findings"] == [
        {
            "file": str(file),
            "path": "schema[fighters].properties[stance].classification",
            "rule": "property-classification",
            "message": "classify the property as public, internal, restricted",
            "severity": "error",
        }
    ]


def test_cli_lint_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(contracts_app, ["lint", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such file or directory" in result.output


def test_cli_lint_of_a_file_whose_name_and_id_disagree_exits_1(tmp_path: Path, docs: ContractDocuments) -> None:
    file, _ = _lint_edited(tmp_path, docs, lambda d: None, relative="roster/boxers.odcs.yaml")
    result = runner.invoke(contracts_app, ["lint", str(file)])
    assert result.exit_code == 1
    assert f"{file}: id: id 'roster.fighters' disagrees with the file roster/boxers.odcs.yaml" in result.output
    assert "Traceback" not in result.output
