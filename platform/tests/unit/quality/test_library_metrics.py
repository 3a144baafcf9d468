"""Library metrics × operators × units, measured by DuckDB over small in-memory objects."""

from __future__ import annotations

import pytest

from mesh_platform.quality import ObjectData, QualityEngine, QualityRuleError
from mesh_platform.quality.rules import parse_rule

COLUMNS = {"id": "string", "weight_class": "string", "rounds": "integer", "nickname": "string"}
# 10 rows: 2 null nicknames, 1 empty nickname, 1 "N/A"; 1 invalid weight class, 1 null weight class;
# id "b" twice and "c" three times (3 extra copies).
ROWS = [
    {"id": "a", "weight_class": "lightweight", "rounds": 3, "nickname": "The Hammer"},
    {"id": "b", "weight_class": "lightweight", "rounds": 5, "nickname": None},
    {"id": "b", "weight_class": "heavyweight", "rounds": 3, "nickname": ""},
    {"id": "c", "weight_class": "cruiserweight", "rounds": 3, "nickname": "N/A"},
    {"id": "c", "weight_class": None, "rounds": 3, "nickname": None},
    {"id": "c", "weight_class": "flyweight", "rounds": 3, "nickname": "Kid"},
    {"id": "d", "weight_class": "flyweight", "rounds": 4, "nickname": "Ace"},
    {"id": "e", "weight_class": "flyweight", "rounds": 3, "nickname": "Bolt"},
    {"id": "f", "weight_class": "flyweight", "rounds": 3, "nickname": "Zed"},
    {"id": None, "weight_class": "flyweight", "rounds": 3, "nickname": "Yo"},
]
DIVISIONS = ["flyweight", "lightweight", "heavyweight"]


def measure(raw: dict, prop: str | None, rows=ROWS):
    rule = parse_rule(raw, key="k", rule_id="r", object_name="things", property_name=prop)
    [result] = QualityEngine().run({"things": ObjectData(COLUMNS, rows, key="id")}, [rule])
    return result


# metric, property, arguments, bad rows (of 10)
METRICS = [
    ("nullValues", "nickname", {}, 2),
    ("missingValues", "nickname", {}, 3),  # default missing values: null and ""
    ("missingValues", "nickname", {"missingValues": [None, "", "N/A"]}, 4),
    ("invalidValues", "weight_class", {"validValues": DIVISIONS}, 1),  # null is missing, not invalid
    ("invalidValues", "rounds", {"validValues": [3, 5]}, 1),
    ("invalidValues", "weight_class", {"pattern": "^[a-z]+weight$"}, 0),
    ("invalidValues", "nickname", {"pattern": "^[A-Z]"}, 2),  # "" and "N/A"?: "" fails, "N/A" passes; see below
    ("duplicateValues", "id", {}, 3),
]


@pytest.mark.parametrize(("metric", "prop", "arguments", "bad"), METRICS)
def test_each_metric_counts_the_rows_it_names(metric, prop, arguments, bad):
    if metric == "invalidValues" and prop == "nickname":
        bad = 1  # only "" fails ^[A-Z]; nulls are missing, not invalid
    result = measure({"metric": metric, "arguments": arguments, "mustBe": bad}, prop)
    assert (result.status, result.bad_rows, result.total_rows, result.measured) == ("passed", bad, 10, bad)


def test_row_count_counts_every_record():
    assert measure({"metric": "rowCount", "mustBe": 10}, None).status == "passed"
    assert measure({"metric": "rowCount", "mustBeGreaterThan": 0}, None, rows=[]).status == "failed"


def test_duplicates_over_several_properties_at_object_level():
    rows = [{"id": "a", "rounds": 3}, {"id": "a", "rounds": 3}, {"id": "a", "rounds": 5}, {"id": None, "rounds": 3}]
    result = measure({"metric": "duplicateValues", "arguments": {"properties": ["id", "rounds"]}, "mustBe": 1}, None, rows)
    assert (result.status, result.measured) == ("passed", 1)


def test_duplicate_whole_records_at_object_level():
    rows = [{"id": "a", "rounds": 3}, {"id": "a", "rounds": 3}, {"id": "a", "rounds": 5}]
    assert measure({"metric": "duplicateValues", "mustBe": 1}, None, rows).status == "passed"


# operator, operand, measured value that passes, measured value that fails (nullValues of nickname is 2 rows, 20 %)
OPERATORS = [
    ("mustBe", 2, True), ("mustBe", 0, False),
    ("mustNotBe", 0, True), ("mustNotBe", 2, False),
    ("mustBeGreaterThan", 1, True), ("mustBeGreaterThan", 2, False),
    ("mustBeGreaterOrEqualTo", 2, True), ("mustBeGreaterOrEqualTo", 3, False),
    ("mustBeLessThan", 3, True), ("mustBeLessThan", 2, False),
    ("mustBeLessOrEqualTo", 2, True), ("mustBeLessOrEqualTo", 1, False),
    ("mustBeBetween", [2, 4], True), ("mustBeBetween", [0, 2], True), ("mustBeBetween", [3, 9], False),
    ("mustNotBeBetween", [3, 9], True), ("mustNotBeBetween", [0, 2], False), ("mustNotBeBetween", [2, 5], False),
]


@pytest.mark.parametrize(("operator", "operand", "passes"), OPERATORS)
def test_every_operator_in_rows(operator, operand, passes):
    result = measure({"metric": "nullValues", operator: operand, "unit": "rows"}, "nickname")
    assert result.measured == 2
    assert result.status == ("passed" if passes else "failed")


@pytest.mark.parametrize(("operator", "operand", "passes"), OPERATORS)
def test_every_operator_in_percent(operator, operand, passes):
    # The same comparison with the operand scaled to percent: 2 of 10 rows = 20 %.
    scaled = [bound * 10 for bound in operand] if isinstance(operand, list) else operand * 10
    result = measure({"metric": "nullValues", operator: scaled, "unit": "percent"}, "nickname")
    assert result.measured == 20.0
    assert result.status == ("passed" if passes else "failed")


@pytest.mark.parametrize("metric", ["missingValues", "invalidValues", "duplicateValues"])
def test_percent_is_a_share_of_all_rows(metric):
    arguments = {"validValues": DIVISIONS} if metric == "invalidValues" else {}
    prop = {"missingValues": "nickname", "invalidValues": "weight_class", "duplicateValues": "id"}[metric]
    expected = {"missingValues": 30.0, "invalidValues": 10.0, "duplicateValues": 30.0}[metric]
    result = measure({"metric": metric, "arguments": arguments, "mustBeLessOrEqualTo": expected, "unit": "percent"}, prop)
    assert (result.status, result.measured) == ("passed", expected)


def test_percent_of_no_rows_is_zero():
    result = measure({"metric": "nullValues", "mustBe": 0, "unit": "percent"}, "nickname", rows=[])
    assert (result.status, result.measured) == ("passed", 0.0)


def test_failure_names_the_offending_records():
    result = measure({"metric": "invalidValues", "arguments": {"validValues": DIVISIONS}, "mustBe": 0}, "weight_class")
    assert result.status == "failed"
    assert result.offending_rows == (3,)
    assert result.sample_keys == ("c",)
    assert "1 of 10 rows" in result.message


def test_a_value_of_the_wrong_type_reads_as_null():
    rows = [{"id": "a", "rounds": "three"}, {"id": "b", "rounds": 3}]
    assert measure({"metric": "nullValues", "mustBe": 1}, "rounds", rows).status == "passed"


@pytest.mark.parametrize(
    ("raw", "prop", "reason"),
    [
        ({"metric": "nullValues", "mustBe": 0, "mustBeLessThan": 3}, "id", "exactly one operator"),
        ({"metric": "nullValues"}, "id", "exactly one operator"),
        ({"metric": "emptyValues", "mustBe": 0}, "id", "not one of"),
        ({"metric": "nullValues", "mustBe": 0}, None, "property level"),
        ({"metric": "rowCount", "mustBe": 0}, "id", "object level"),
        ({"metric": "rowCount", "mustBe": 5, "unit": "percent"}, None, "unit percent"),
        ({"metric": "invalidValues", "mustBe": 0}, "id", "validValues or a pattern"),
        ({"metric": "nullValues", "mustBeBetween": [5, 1]}, "id", "smallest first"),
        ({"metric": "nullValues", "mustBe": 0, "unit": "bytes"}, "id", "unit"),
        ({"type": "sql", "mustBe": 0}, None, "needs a query"),
        ({"metric": "nullValues", "mustBe": 0, "customProperties": [{"property": "onFailure", "value": "drop"}]},
         "id", "onFailure"),
    ],
)
def test_a_rule_that_cannot_run_says_why(raw, prop, reason):
    with pytest.raises(QualityRuleError, match=reason):
        parse_rule(raw, key="k", rule_id="r", object_name="things", property_name=prop)
