"""``sql`` rules in the sandbox (read-only, no file access), severity and the per-rule failure action."""

from __future__ import annotations

import pytest

from mesh_platform.quality import ObjectData, QualityEngine
from mesh_platform.quality.rules import parse_rule, rules_of_document

BOUTS = ObjectData(
    {"bout_id": "string", "red": "string", "blue": "string", "card_date": "date", "status": "string"},
    [
        {"bout_id": "1", "red": "ann", "blue": "bea", "card_date": "2024-01-10", "status": "completed"},
        {"bout_id": "2", "red": "cat", "blue": "dee", "card_date": "2024-01-10", "status": "completed"},
        {"bout_id": "3", "red": "ann", "blue": "cat", "card_date": "2024-06-01", "status": "completed"},
    ],
    key="bout_id",
)


def run(raw: dict, prop: str | None = None, data: ObjectData = BOUTS):
    rule = parse_rule(raw, key="k", rule_id="r", object_name="bouts", property_name=prop)
    [result] = QualityEngine(timeout=5).run({"bouts": data}, [rule])
    return result


def test_sql_rule_substitutes_object_and_property():
    result = run({"type": "sql", "query": "SELECT count(DISTINCT {property}) FROM {object}", "mustBe": 2}, "card_date")
    assert (result.status, result.measured) == ("passed", 2)


def test_sql_rule_accepts_the_template_spellings_of_other_tools():
    assert run({"type": "sql", "query": "SELECT count(*) FROM ${table} WHERE ${column} = 'ann'", "mustBe": 2},
               "red").status == "passed"


def test_sql_rule_over_dates_aggregates_per_year():
    query = "SELECT max(n) FROM (SELECT year(card_date) AS y, count(*) AS n FROM {object} GROUP BY y)"
    assert run({"type": "sql", "query": query, "mustBeLessOrEqualTo": 1}).status == "failed"


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM {object}",
        "INSERT INTO {object} SELECT * FROM {object}",
        "UPDATE {object} SET status = 'x'",
        "DROP TABLE {object}",
        "CREATE TABLE stolen AS SELECT * FROM {object}",
        "SELECT 1; DELETE FROM {object}",
        "SET lock_configuration = false",
        "COPY {object} TO '/tmp/quality-leak.csv'",
        "ATTACH '/tmp/quality-attached.db'",
    ],
)
def test_a_query_that_writes_is_refused(query):
    result = run({"type": "sql", "query": query, "mustBe": 0})
    assert result.status == "error"
    assert result.message.startswith("refused")
    assert run({"type": "sql", "query": "SELECT count(*) FROM {object}", "mustBe": 3}).status == "passed"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count(*) FROM read_csv('/etc/passwd')",
        "SELECT count(*) FROM read_text('/etc/hostname')",
        "SELECT count(*) FROM 'https://example.invalid/data.parquet'",
        "SELECT count(*) FROM glob('/work/*')",
    ],
)
def test_a_query_that_reads_files_or_the_network_is_refused(query):
    result = run({"type": "sql", "query": query, "mustBe": 0})
    assert result.status == "error"
    assert "could not run" in result.message


def test_a_query_cannot_see_python_objects():
    secret_rows = [{"token": "s3cr3t"}]  # noqa: F841 - what a replacement scan would find in this frame
    result = run({"type": "sql", "query": "SELECT count(*) FROM secret_rows", "mustBe": 1})
    assert result.status == "error"


def test_a_query_that_runs_too_long_is_interrupted():
    rule = parse_rule(
        {"type": "sql", "query": "SELECT count(*) FROM range(1000000000000) a", "mustBe": 0},
        key="k", rule_id="r", object_name="bouts", property_name=None,
    )
    [result] = QualityEngine(timeout=0.5).run({"bouts": BOUTS}, [rule])
    assert result.status == "error"
    assert result.duration_ms < 5000


def test_a_query_returning_no_number_fails_or_errors():
    assert run({"type": "sql", "query": "SELECT NULL", "mustBe": 0}).status == "failed"
    assert run({"type": "sql", "query": "SELECT 'x'", "mustBe": 0}).status == "error"


def test_unknown_column_is_an_error_not_a_pass():
    assert run({"metric": "nullValues", "mustBe": 0}, "weight").status == "error"
    assert run({"type": "sql", "query": "SELECT count(weight) FROM {object}", "mustBe": 0}).status == "error"


@pytest.mark.parametrize(
    ("severity", "status", "action"),
    [(None, "failed", "block"), ("error", "failed", "block"), ("critical", "failed", "block"),
     ("warning", "warned", "warn"), ("info", "warned", "warn"), ("Minor", "warned", "warn")],
)
def test_severity_decides_whether_a_failure_blocks_or_warns(severity, status, action):
    raw = {"metric": "rowCount", "mustBe": 99}
    if severity:
        raw["severity"] = severity
    result = run(raw)
    assert (result.status, result.action) == (status, action)


def test_on_failure_chooses_quarantine_per_rule():
    raw = {"metric": "rowCount", "mustBe": 99, "customProperties": [{"property": "onFailure", "value": "quarantine"}]}
    assert parse_rule(raw, key="k", rule_id="r", object_name="bouts", property_name=None).action == "quarantine"


def test_rules_are_read_at_object_and_property_level_text_rules_skipped_and_bad_ones_reported():
    document = {
        "schema": [
            {
                "name": "bouts",
                "quality": [
                    {"type": "text", "description": "prose"},
                    {"id": "some", "metric": "rowCount", "mustBeGreaterThan": 0},
                    {"type": "custom", "engine": "soda", "implementation": "x"},
                ],
                "properties": [
                    {"name": "bout_id", "quality": [{"metric": "nullValues", "mustBe": 0}]},
                    {"name": "red", "quality": [{"id": "broken", "metric": "nullValues"}]},
                ],
            }
        ]
    }
    rules = rules_of_document(document)
    assert [rule.key for rule in rules.rules] == ["bouts:some", "bouts.bout_id:nullValues_0"]
    assert [(rule.key, "exactly one operator" in rule.reason) for rule in rules.unrunnable] == [("bouts.red:broken", True)]
    [error] = QualityEngine().run({"bouts": BOUTS}, [], rules.unrunnable)
    assert error.status == "error"
