"""`mesh contracts check --base REF` on throw-away git repositories."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mesh_platform.contracts.errors import GitError
from mesh_tools.cli.contracts_command import contracts_app
from mesh_tools.contracts.check import check_contracts

from .contract_documents import OPTIONAL_FIELD, ContractDocuments, GitWorkTree, as_deprecated, as_major_two

D = ContractDocuments
runner = CliRunner()
FIGHTERS = "roster/fighters.odcs.yaml"
FIGHTERS_V1 = "roster/fighters.v1.odcs.yaml"


def _fighters(docs: ContractDocuments, version: str = "1.0.0") -> dict[str, Any]:
    document = docs.load("roster", "fighters")
    document["version"] = version
    return document


def _start(work_tree: GitWorkTree, docs: ContractDocuments) -> dict[str, Any]:
    """main holds fighters 1.0.0 and bouts 1.0.0; work continues on a feature branch."""
    fighters = _fighters(docs)
    docs.write(work_tree.contracts, fighters, FIGHTERS)
    docs.write(work_tree.contracts, docs.load("schedule", "bouts"), "schedule/bouts.odcs.yaml")
    work_tree.commit("contracts")
    work_tree.git("checkout", "-q", "-b", "feature")
    return fighters


def _check(work_tree: GitWorkTree, *args: str) -> Any:
    return runner.invoke(contracts_app, ["check", "--contracts-dir", str(work_tree.contracts), *args])


def _major_two(document: dict[str, Any]) -> dict[str, Any]:
    as_major_two(document)
    D.prop(document, "height_cm")["logicalTypeOptions"]["maximum"] = 220  # the breaking change of v2
    return document


def test_unchanged_contracts_pass_against_the_merge_base_with_main(
    work_tree: GitWorkTree, docs: ContractDocuments
) -> None:
    _start(work_tree, docs)
    result = _check(work_tree)
    assert result.exit_code == 0, result.output
    assert "merge-base(HEAD, main)" in result.output
    assert "roster/fighters v1 (unchanged, 1.0.0 → 1.0.0)" in result.output


def test_breaking_change_without_major_bump_fails_with_path_before_after_and_why(
    work_tree: GitWorkTree, docs: ContractDocuments
) -> None:
    fighters = _start(work_tree, docs)
    D.prop(fighters, "height_cm")["logicalTypeOptions"]["maximum"] = 220
    fighters["version"] = "1.1.0"
    file = docs.write(work_tree.contracts, fighters, FIGHTERS)
    result = _check(work_tree)
    assert result.exit_code == 1
    assert (
        f"{file.resolve()}: fighters.height_cm.maximum: 230 → 220: values valid before may now be refused"
        in result.output
    )
    assert "publish it as 2.0.0 on a new port (/v2, topic .v2)" in result.output


@pytest.mark.parametrize(
    ("version", "exit_code", "message"),
    [
        ("1.1.0", 0, "no problems"),
        ("1.0.0", 1, "the version did not move from 1.0.0"),
        ("1.0.1", 1, "needs at least a minor bump"),
    ],
)
def test_added_optional_property_needs_a_minor_bump(
    work_tree: GitWorkTree, docs: ContractDocuments, version: str, exit_code: int, message: str
) -> None:
    fighters = _start(work_tree, docs)
    fighters["schema"][0]["properties"].append(OPTIONAL_FIELD)
    fighters["version"] = version
    docs.write(work_tree.contracts, fighters, FIGHTERS)
    result = _check(work_tree, "--base", "main")
    assert result.exit_code == exit_code, result.output
    assert message in result.output


def test_description_change_needs_no_new_version(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    fighters = _start(work_tree, docs)
    D.prop(fighters, "stance")["description"] = "How the fighter stands: which foot and hand lead."
    docs.write(work_tree.contracts, fighters, FIGHTERS)
    report = check_contracts(work_tree.contracts, "main")
    assert report.ok
    [product] = [p for p in report.products if p.identity == ("roster", "fighters", 1)]
    assert [(c.rule, c.impact.value) for c in product.changes] == [("description-changed", "documentation")]


def test_major_bump_with_new_port_and_old_major_kept_passes(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    fighters = _start(work_tree, docs)
    work_tree.git("mv", f"contracts/{FIGHTERS}", f"contracts/{FIGHTERS_V1}")
    docs.write(work_tree.contracts, as_deprecated(fighters, "2031-01-31"), FIGHTERS_V1)
    docs.write(work_tree.contracts, _major_two(_fighters(docs)), FIGHTERS)
    report = check_contracts(work_tree.contracts, "main")
    assert report.failures == []
    verdicts = {p.identity: p for p in report.products}
    assert verdicts[("roster", "fighters", 1)].verdict == "changed"
    assert all(c.impact.value == "documentation" for c in verdicts[("roster", "fighters", 1)].changes)
    new_major = verdicts[("roster", "fighters", 2)]
    assert new_major.verdict == "new major"
    assert {c.rule for c in new_major.changes if c.breaking} >= {
        "port-path-changed",
        "topic-changed",
        "constraint-tightened",
        "event-type-removed",
    }


def test_major_bump_that_drops_the_old_major_fails(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    _start(work_tree, docs)
    docs.write(work_tree.contracts, _major_two(_fighters(docs)), FIGHTERS)
    result = _check(work_tree, "--base", "main")
    assert result.exit_code == 1
    assert "v1 was removed but consumers may still use it" in result.output
    assert "fighters.v1.odcs.yaml" in result.output


def test_new_major_on_the_old_port_and_topic_fails(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    fighters = _start(work_tree, docs)
    docs.write(work_tree.contracts, as_deprecated(fighters, "2031-01-31"), FIGHTERS_V1)
    lazy_v2 = _fighters(docs, "2.0.0")
    docs.write(work_tree.contracts, lazy_v2, FIGHTERS)
    report = check_contracts(work_tree.contracts, "main")
    assert {(f.path, f.reason.split(": ")[-1]) for f in report.failures} >= {
        ("servers.http.path", "give it its own port /v2"),
        ("servers.kafka.topic", "publish it on its own topic .v2"),
    }


def test_old_major_may_go_after_its_sunset_date(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    _start(work_tree, docs)
    docs.write(work_tree.contracts, as_deprecated(_fighters(docs), "2025-06-30"), FIGHTERS_V1)
    docs.write(work_tree.contracts, _major_two(_fighters(docs)), FIGHTERS)
    work_tree.commit("v2 beside v1")
    (work_tree.contracts / FIGHTERS_V1).unlink()
    before_sunset = check_contracts(work_tree.contracts, "HEAD", today=date(2025, 6, 1))
    after_sunset = check_contracts(work_tree.contracts, "HEAD", today=date(2025, 7, 1))
    assert [f.path for f in before_sunset.failures] == ["(file)"]
    assert after_sunset.ok
    assert [p.verdict for p in after_sunset.products if p.identity == ("roster", "fighters", 1)] == ["retired"]


def test_event_schemas_stay_compatible_with_every_earlier_version_of_the_major(
    work_tree: GitWorkTree, docs: ContractDocuments
) -> None:
    fighters = _fighters(docs)
    fighters["schema"][0]["properties"].append(
        {**OPTIONAL_FIELD, "name": "fights_abroad", "logicalType": "integer", "examples": [3]}
    )
    docs.write(work_tree.contracts, fighters, FIGHTERS)
    first = work_tree.commit("fighters 1.0.0 with fights_abroad")
    fighters["schema"][0]["properties"].pop()
    fighters["version"] = "1.1.0"  # removed without a major bump: the gate was bypassed
    docs.write(work_tree.contracts, fighters, FIGHTERS)
    work_tree.commit("fighters 1.1.0")
    work_tree.git("checkout", "-q", "-b", "feature")
    fighters["schema"][0]["properties"].append({**OPTIONAL_FIELD, "name": "fights_abroad", "examples": ["three"]})
    fighters["version"] = "1.2.0"
    docs.write(work_tree.contracts, fighters, FIGHTERS)

    report = check_contracts(work_tree.contracts)  # against 1.1.0 alone, this is an added optional property
    [product] = report.products
    assert [(c.rule, c.impact.value) for c in product.changes] == [("optional-property-added", "compatible")]
    assert report.failures, "events of 1.0.0 carry fights_abroad as an integer"
    paths = sorted(f.path for f in report.failures)
    assert paths == sorted(
        f"eventTypes[{t}].fights_abroad"
        for t in (
            "octagon.roster.fighter.registered.v1",
            "octagon.roster.fighter.updated.v1",
            "octagon.roster.fighter.retired.v1",
        )
    )
    assert all("published under 1.0.0" in f.reason and first[:8] in f.reason for f in report.failures)
    assert all((f.before, f.after) == ("integer", "string") for f in report.failures)


def test_new_data_product_passes(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    _start(work_tree, docs)
    docs.write(work_tree.contracts, docs.load("stats", "rankings"), "stats/rankings.odcs.yaml")
    report = check_contracts(work_tree.contracts, "main")
    assert report.ok
    assert [p.verdict for p in report.products if p.identity[0] == "stats"] == ["new product"]


def test_contract_that_does_not_load_fails_the_check(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    _start(work_tree, docs)
    (work_tree.contracts / FIGHTERS).write_text("id: [roster.fighters\n", encoding="utf-8")
    result = _check(work_tree, "--base", "main")
    assert result.exit_code == 1
    assert "the contract does not load: invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_unknown_base_is_a_usage_error(work_tree: GitWorkTree, docs: ContractDocuments) -> None:
    _start(work_tree, docs)
    result = _check(work_tree, "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.output
    with pytest.raises(GitError):
        check_contracts(work_tree.contracts, "no-such-branch")


def test_contracts_outside_a_repository_are_a_usage_error(tmp_path: Path, docs: ContractDocuments) -> None:
    docs.write(tmp_path / "contracts", docs.load("roster", "fighters"), FIGHTERS)
    result = runner.invoke(contracts_app, ["check", "--contracts-dir", str(tmp_path / "contracts")])
    assert result.exit_code == 2
    assert "error:" in result.output and "Traceback" not in result.output
