"""SPC rules are declared as ODCS custom rules of engine octagon-spc; `mesh contracts lint` names those that cannot
run, and our contracts declare some."""

from __future__ import annotations

from pathlib import Path

import yaml

from mesh_platform.contracts import default_contracts_dir
from mesh_platform.quality.spc_rules import spc_rules_of_document
from mesh_tools.contracts.lint import lint_text

FIGHTERS = Path(default_contracts_dir(), "roster", "fighters.odcs.yaml")


def fighters_with(rule: dict, on_property: str | None = None) -> dict:
    document = yaml.safe_load(FIGHTERS.read_text())
    [fighters] = document["schema"]
    if on_property is None:
        fighters["quality"] = [rule]
    else:
        [prop] = [p for p in fighters["properties"] if p["name"] == on_property]
        prop["quality"] = [rule]
    return document


def spc_rule(**implementation) -> dict:
    return {"id": "charted", "type": "custom", "engine": "octagon-spc", "implementation": implementation}


def test_our_contracts_declare_control_charts_on_volume_null_rate_and_events_per_hour():
    rules, problems = spc_rules_of_document(yaml.safe_load(FIGHTERS.read_text()))
    assert problems == []
    measures = {(rule.key, rule.measure, rule.settings.seasonality) for rule in rules}
    assert ("fighters:fighters_volume_control", "rowCount", "none") in measures
    assert ("fighters.nickname:nickname_null_rate_control", "nullRate", "none") in measures
    assert ("fighters:fighter_changes_per_hour_control", "eventsPerHour", "dayOfWeek") in measures
    results = yaml.safe_load(Path(default_contracts_dir(), "results", "bout-results.odcs.yaml").read_text())
    assert {rule.measure for rule in spc_rules_of_document(results)[0]} == {"eventsPerHour", "rowCount"}


def test_lint_names_an_spc_rule_that_cannot_run():
    cases = [
        (spc_rule(measure="nullRate"), None, "measure 'nullRate' is not one of"),
        (spc_rule(measure="rowCount"), "nickname", "measure 'rowCount' is not one of"),
        (spc_rule(measure="rowCount", charts=["xbar"]), None, "charts: xbar not one of"),
        (spc_rule(measure="rowCount", westernElectric=["WE9"]), None, "westernElectric: WE9"),
        (spc_rule(measure="rowCount", warmup=40, baseline=20), None, "warmup (40) cannot exceed baseline (20)"),
        (spc_rule(measure="rowCount", seasonality="monthly"), None, "seasonality 'monthly'"),
        (spc_rule(measure="rowCount", window=3), None, "unknown implementation keys window"),
        ({**spc_rule(), "implementation": "rowCount please"}, None, "is a mapping with at least a measure"),
    ]
    for rule, on_property, expected in cases:
        findings, _ = lint_text(yaml.safe_dump(fighters_with(rule, on_property)), FIGHTERS)
        spc = [finding for finding in findings if finding.rule == "spc-rule"]
        assert len(spc) == 1 and expected in spc[0].message, (expected, findings)
        assert spc[0].path.endswith(".implementation")


def test_lint_leaves_custom_rules_of_other_engines_and_valid_spc_rules_alone():
    for rule in ({"id": "soda", "type": "custom", "engine": "soda", "implementation": "checks: []"},
                 spc_rule(measure="eventsPerHour", charts=["shewhart", "cusum"], seasonality="dayOfWeek")):
        findings, contract = lint_text(yaml.safe_dump(fighters_with(rule)), FIGHTERS)
        assert contract is not None
        assert [f for f in findings if f.severity == "error"] == []
