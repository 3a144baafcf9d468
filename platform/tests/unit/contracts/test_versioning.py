"""Semantic versioning of contracts: the version must account for every change, and never go backwards."""

from __future__ import annotations

from typing import Any

import pytest

from mesh_platform.contracts.compatibility import diff_contracts, versioning_failures

from .contract_documents import (
    OPTIONAL_FIELD,
    ContractDocuments,
    Edit,
    add_property,
    combined,
    set_attribute,
    set_options,
)


@pytest.fixture(scope="module")
def fighters() -> tuple[dict[str, Any], Any]:
    document = ContractDocuments().load("roster", "fighters")
    return document, ContractDocuments.build(document)


def _changes(fighters: tuple[dict[str, Any], Any], edit: Edit) -> list[Any]:
    document, original = fighters
    changed_document = ContractDocuments.load_copy(document)
    edit(changed_document)
    return diff_contracts(original, ContractDocuments.build(changed_document))


@pytest.mark.parametrize(
    ("edit", "version", "failures"),
    [
        (set_options("height_cm", maximum=220), "1.0.0", 1),
        (set_options("height_cm", maximum=220), "1.1.0", 1),
        (set_options("height_cm", maximum=220), "2.0.0", 0),
        (add_property(**OPTIONAL_FIELD), "1.0.0", 1),
        (add_property(**OPTIONAL_FIELD), "1.0.1", 1),
        (add_property(**OPTIONAL_FIELD), "1.1.0", 0),
        (set_attribute("stance.description", "How the fighter stands: lead foot and hand."), "1.0.0", 0),
        (combined(set_options("height_cm", maximum=220), set_options("reach_cm", minimum=150)), "1.3.0", 2),
    ],
    ids=[
        "breaking, same version",
        "breaking, minor bump",
        "breaking, major bump",
        "additive, same version",
        "additive, patch bump",
        "additive, minor bump",
        "documentation, same version",
        "one failure per change",
    ],
)
def test_version_must_account_for_every_change(
    fighters: tuple[dict[str, Any], Any], edit: Edit, version: str, failures: int
) -> None:
    assert len(versioning_failures("1.0.0", version, _changes(fighters, edit))) == failures


def test_breaking_change_without_major_bump_explains_path_before_after_and_why(fighters: tuple[dict[str, Any], Any]) -> None:
    [failure] = versioning_failures("1.0.0", "1.1.0", _changes(fighters, set_options("height_cm", maximum=220)))
    assert (failure.path, failure.before, failure.after) == ("fighters.height_cm.maximum", 230, 220)
    assert "values valid before may now be refused" in failure.reason
    assert "2.0.0" in failure.reason and "/v2" in failure.reason and "v1 live until its sunset date" in failure.reason


def test_version_going_backwards_fails() -> None:
    [failure] = versioning_failures("1.2.0", "1.1.9", [])
    assert failure.reason == "the version went backwards"
