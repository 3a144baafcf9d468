"""Governance verdicts of registrations: one verdict per policy, refusals with reasons, versions and lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime

import semver

from catalog.domain.governance import decide_registration
from catalog.domain.model import Lifecycle, ProductVersion, RegistrationOutcome


def registered(document: dict, status: Lifecycle = Lifecycle.ACTIVE) -> ProductVersion:
    """The version a previous registration of ``document`` left in the registry."""
    decision = decide_registration(document, lambda *_: None)
    assert decision.verdict.compliant, decision.verdict.reasons
    contract = decision.contract
    now = datetime(2024, 5, 1, tzinfo=UTC)
    return ProductVersion(contract.domain, contract.product, contract.major, contract.version, status, contract.sunset,
                          document, "http://127.0.0.1:8001", now, now, decision.verdict)


def later(document: dict, part: str = "patch") -> str:
    """The contract file's version with ``part`` bumped (the files move on; the tests stay relative to them)."""
    return str(semver.Version.parse(document["version"]).next_version(part))


def failed(decision) -> dict[str, list[str]]:
    return {p.policy: list(p.reasons) for p in decision.verdict.policies if not p.passed}


def test_repository_contract_is_compliant_and_creates_the_product(contract):
    decision = decide_registration(contract("roster", "fighters"), lambda *_: None)

    assert decision.outcome is RegistrationOutcome.CREATED
    assert decision.verdict.compliant
    assert decision.status is Lifecycle.ACTIVE
    assert [p.policy for p in decision.verdict.policies] == [
        "valid-contract", "owner-present", "fields-described-and-classified", "personal-data-tagged",
        "slos-declared", "semantic-version-respected", "lifecycle-respected", "conventions-followed",
    ]


def test_contract_without_owner_is_refused_naming_the_owner_policy(contract):
    document = contract("roster", "fighters")
    del document["team"]

    decision = decide_registration(document, lambda *_: None)

    assert decision.outcome is RegistrationOutcome.REFUSED
    assert list(failed(decision)) == ["owner-present"]
    assert "team" in failed(decision)["owner-present"][0]


def test_field_without_description_or_classification_is_refused(contract):
    document = contract("roster", "fighters")
    stance = next(p for p in document["schema"][0]["properties"] if p["name"] == "stance")
    del stance["description"], stance["classification"]

    reasons = failed(decide_registration(document, lambda *_: None))

    assert list(reasons) == ["fields-described-and-classified"]
    assert any("properties[stance].description" in r for r in reasons["fields-described-and-classified"])
    assert any("properties[stance].classification" in r for r in reasons["fields-described-and-classified"])


def test_personal_data_without_pii_tag_is_refused(contract):
    document = contract("roster", "fighters")
    birth = next(p for p in document["schema"][0]["properties"] if p["name"] == "date_of_birth")
    birth["tags"] = []

    reasons = failed(decide_registration(document, lambda *_: None))

    assert list(reasons) == ["personal-data-tagged"]
    assert "date_of_birth" in reasons["personal-data-tagged"][0]


def test_contract_without_slos_is_refused(contract):
    document = contract("schedule", "bouts")
    del document["slaProperties"]

    reasons = failed(decide_registration(document, lambda *_: None))

    assert list(reasons) == ["slos-declared"]
    assert len(reasons["slos-declared"]) == 2  # freshness and availability


def test_document_that_is_not_odcs_reports_only_the_validity_policy():
    decision = decide_registration({"apiVersion": "v3.1.0", "kind": "DataContract"}, lambda *_: None)

    assert decision.outcome is RegistrationOutcome.REFUSED
    assert decision.contract is None
    assert [p.policy for p in decision.verdict.policies] == ["valid-contract"]
    assert decision.verdict.policies[0].reasons


def test_same_version_with_same_content_is_unchanged(contract):
    document = contract("roster", "fighters")
    previous = registered(document)

    decision = decide_registration(contract("roster", "fighters"), lambda *_: previous)

    assert decision.outcome is RegistrationOutcome.UNCHANGED


def test_breaking_change_under_the_same_major_is_refused(contract):
    previous = registered(contract("roster", "fighters"))
    document = contract("roster", "fighters")
    document["version"] = "1.1.0"
    document["schema"][0]["properties"] = [p for p in document["schema"][0]["properties"] if p["name"] != "stance"]

    decision = decide_registration(document, lambda *_: previous)

    assert decision.outcome is RegistrationOutcome.REFUSED
    reasons = failed(decision)
    assert list(reasons) == ["semantic-version-respected"]
    assert "stance" in reasons["semantic-version-respected"][0]
    assert "2.0.0" in reasons["semantic-version-respected"][0]


def test_compatible_change_with_a_minor_bump_updates_the_version(contract):
    previous = registered(contract("roster", "fighters"))
    document = contract("roster", "fighters")
    document["version"] = later(document, "minor")
    document["schema"][0]["properties"].append({
        "name": "gym", "logicalType": "string", "required": False, "classification": "public",
        "description": "Gym the fighter trains at, when known.", "examples": ["American Top Team"],
    })

    decision = decide_registration(document, lambda *_: previous)

    assert decision.outcome is RegistrationOutcome.UPDATED, decision.verdict.reasons


def test_interface_change_without_a_version_bump_is_refused(contract):
    previous = registered(contract("roster", "fighters"))
    document = contract("roster", "fighters")
    document["schema"][0]["properties"].append({
        "name": "gym", "logicalType": "string", "required": False, "classification": "public",
        "description": "Gym the fighter trains at, when known.", "examples": ["American Top Team"],
    })

    reasons = failed(decide_registration(document, lambda *_: previous))

    assert list(reasons) == ["semantic-version-respected"]
    assert "1.1.0" in reasons["semantic-version-respected"][0]


def test_version_going_backwards_is_refused(contract):
    newer = contract("roster", "fighters")
    newer["version"] = "1.2.0"
    previous = registered(newer)

    reasons = failed(decide_registration(contract("roster", "fighters"), lambda *_: previous))

    assert "backwards" in reasons["semantic-version-respected"][0]


def test_deprecated_major_cannot_become_active_again(contract):
    deprecated = contract("roster", "fighters")
    deprecated.update(version="1.0.1", status="deprecated",
                      customProperties=[{"property": "sunsetDate", "value": "2030-01-31"}])
    previous = registered(deprecated, Lifecycle.DEPRECATED)
    document = contract("roster", "fighters")
    document["version"] = "1.0.2"

    reasons = failed(decide_registration(document, lambda *_: previous))

    assert list(reasons) == ["lifecycle-respected"]
    assert "cannot go back to active" in reasons["lifecycle-respected"][0]


def test_deprecation_needs_a_sunset_date(contract):
    previous = registered(contract("roster", "fighters"))
    document = contract("roster", "fighters")
    document.update(version=later(document), status="deprecated")

    reasons = failed(decide_registration(document, lambda *_: previous))

    assert list(reasons) == ["lifecycle-respected"]
    assert "sunsetDate" in reasons["lifecycle-respected"][0]


def test_deprecation_with_sunset_date_is_a_compliant_update(contract):
    previous = registered(contract("roster", "fighters"))
    document = contract("roster", "fighters")
    document.update(version=later(document), status="deprecated",
                    customProperties=[{"property": "sunsetDate", "value": "2030-01-31"}])

    decision = decide_registration(document, lambda *_: previous)

    assert decision.outcome is RegistrationOutcome.UPDATED, decision.verdict.reasons
    assert decision.status is Lifecycle.DEPRECATED
    assert str(decision.contract.sunset) == "2030-01-31"
