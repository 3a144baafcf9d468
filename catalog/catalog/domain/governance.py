"""Governance of registrations: one verdict per policy, and what a registration does to the registry.

The rules themselves are the platform's (``mesh_platform.contracts``: ODCS validity, structural needs, the lint
rules of ``governance.py`` and the change classification of ``compatibility.py``), so ``mesh contracts lint`` in CI
and the catalog at registration judge a contract the same way. This module groups their findings into policies and
adds what only the registry knows: the version registered before and its lifecycle state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalog.domain.model import Lifecycle, PolicyResult, ProductVersion, RegistrationOutcome, Verdict
from mesh_platform.contracts.compatibility import diff_contracts, versioning_failures
from mesh_platform.contracts.documents import Problem, odcs_problems, parse_odcs
from mesh_platform.contracts.errors import ContractError
from mesh_platform.contracts.governance import contract_problems, document_problems
from mesh_platform.contracts.product import DataProductContract, structural_problems

VALID_CONTRACT = "valid-contract"
OWNER_PRESENT = "owner-present"
FIELDS_DESCRIBED = "fields-described-and-classified"
PERSONAL_DATA_TAGGED = "personal-data-tagged"
SLOS_DECLARED = "slos-declared"
SEMANTIC_VERSION = "semantic-version-respected"
LIFECYCLE = "lifecycle-respected"
CONVENTIONS = "conventions-followed"

POLICIES = (
    VALID_CONTRACT, OWNER_PRESENT, FIELDS_DESCRIBED, PERSONAL_DATA_TAGGED, SLOS_DECLARED, SEMANTIC_VERSION,
    LIFECYCLE, CONVENTIONS,
)
POLICY_DESCRIPTIONS = {
    VALID_CONTRACT: "The contract is valid ODCS v3.1.0 and the platform can derive its ports and schemas from it.",
    OWNER_PRESENT: "An owning team is named, with a member in the owner role.",
    FIELDS_DESCRIBED: "Every field (nested ones too) is described and classified public, internal or restricted.",
    PERSONAL_DATA_TAGGED: "Personal data is tagged pii, classified restricted and nullable (it is masked).",
    SLOS_DECLARED: "Freshness (on a record timestamp) and availability SLOs are declared.",
    SEMANTIC_VERSION: "The version moves forward and accounts for every change since the registered version.",
    LIFECYCLE: "draft → active → deprecated → retired, never backwards; deprecated majors announce a sunset date.",
    CONVENTIONS: "The remaining contract rules of mesh contracts lint (ports, topic, event types, examples...).",
}

_POLICY_OF_RULE = {
    "owner": OWNER_PRESENT,
    "property-description": FIELDS_DESCRIBED,
    "property-classification": FIELDS_DESCRIBED,
    "pii-tag": PERSONAL_DATA_TAGGED,
    "pii-classification": PERSONAL_DATA_TAGGED,
    "pii-nullable": PERSONAL_DATA_TAGGED,
    "slo-freshness": SLOS_DECLARED,
    "slo-availability": SLOS_DECLARED,
    "semantic-version": SEMANTIC_VERSION,
    "status": LIFECYCLE,
    "sunset-date": LIFECYCLE,
}


@dataclass(frozen=True)
class Decision:
    """What to do with a registration: its outcome, the verdict, and the contract when it could be read."""

    outcome: RegistrationOutcome
    verdict: Verdict
    contract: DataProductContract | None
    status: Lifecycle | None = None
    identity: tuple[str, str] | None = None

    @property
    def product_key(self) -> tuple[str, str] | None:
        """``(domain, product)`` of the registration, when known."""
        if self.contract is not None:
            return self.contract.domain, self.contract.product
        return self.identity


PreviousVersion = Callable[[str, str, int], ProductVersion | None]
"""Looks up the registered version of ``(domain, product, major)``."""


def decide_registration(document: dict[str, Any], previous_version: PreviousVersion) -> Decision:
    """Judge ``document`` against every policy and the version of the same major registered before (if any).

    The very document registered before is a no-op: it was judged then, and judging it again costs a full ODCS
    validation on every restart of every service.
    """
    claimed = _claimed_identity(document)
    if claimed is not None:
        previous = previous_version(*claimed)
        if previous is not None and previous.verdict.compliant and canonical(previous.contract) == canonical(document):
            return Decision(RegistrationOutcome.UNCHANGED, previous.verdict, None, previous.status, claimed[:2])
    contract, reasons = assess_contract(document)
    if contract is None:
        # Only what could be judged is reported: the other policies need a usable contract.
        judged = {VALID_CONTRACT} | {policy for policy, found in reasons.items() if found}
        return Decision(RegistrationOutcome.REFUSED, _verdict(reasons, judged), None)
    previous = previous_version(contract.domain, contract.product, contract.major)
    status = _lifecycle(contract, previous, reasons)
    identical = previous is not None and canonical(previous.contract) == canonical(document)
    if previous is not None and not identical:
        _versioning(contract, previous, reasons)
    verdict = _verdict(reasons)
    if not verdict.compliant:
        outcome = RegistrationOutcome.REFUSED
    elif previous is None:
        outcome = RegistrationOutcome.CREATED
    elif identical:
        outcome = RegistrationOutcome.UNCHANGED
    else:
        outcome = RegistrationOutcome.UPDATED
    return Decision(outcome, verdict, contract, status)


def assess_contract(document: dict[str, Any]) -> tuple[DataProductContract | None, dict[str, list[str]]]:
    """The contract (None if it cannot be built) and the reasons found per policy, by the platform's rules."""
    reasons: dict[str, list[str]] = {policy: [] for policy in POLICIES}
    problems = odcs_problems(document)
    if problems:
        reasons[VALID_CONTRACT] = [_reason(p) for p in problems]
        return None, reasons
    try:
        odcs = parse_odcs(document, "registration")
    except ContractError as e:
        reasons[VALID_CONTRACT] = [f"{e.path}: {e.reason}"]
        return None, reasons
    _file(reasons, document_problems(odcs))
    structural = structural_problems(odcs, document)
    if structural:
        reasons[VALID_CONTRACT] = [_reason(p) for p in structural]
        return None, reasons
    contract = DataProductContract(odcs, document, f"{odcs.id} {odcs.version}")
    _file(reasons, contract_problems(contract))
    return contract, reasons


def _claimed_identity(document: dict[str, Any]) -> tuple[str, str, int] | None:
    """``(domain, product, major)`` as the document states them, without validating anything else."""
    domain, contract_id, version = document.get("domain"), document.get("id"), document.get("version")
    if not (isinstance(domain, str) and isinstance(contract_id, str) and isinstance(version, str)):
        return None
    product = contract_id.removeprefix(f"{domain}.")
    major = version.split(".", 1)[0]
    return (domain, product, int(major)) if major.isdigit() and product != contract_id else None


def canonical(document: dict[str, Any]) -> str:
    """A text that is equal for equal documents whatever their key order."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)


def _lifecycle(contract: DataProductContract, previous: ProductVersion | None, reasons: dict[str, list[str]]) -> Lifecycle | None:
    try:
        status = Lifecycle.from_contract_status(contract.status)
    except ValueError:
        return None  # the platform's status rule has already said why
    if previous is not None and not previous.status.can_move_to(status):
        reasons[LIFECYCLE].append(
            f"major {contract.major} is {previous.status.value}; it cannot go back to {status.value} "
            f"(draft → active → deprecated → retired)"
        )
    if status is Lifecycle.RETIRED and contract.sunset is None:
        reasons[LIFECYCLE].append("a retired major needs the customProperty sunsetDate it was retired on")
    return status


def _versioning(contract: DataProductContract, previous: ProductVersion, reasons: dict[str, list[str]]) -> None:
    try:
        before = DataProductContract.from_document(previous.contract, f"registered {previous.version}")
    except ContractError as e:  # the stored contract passed once; rules may have changed since
        reasons[SEMANTIC_VERSION].append(f"the registered {previous.version} no longer loads ({e}); cannot compare")
        return
    failures = versioning_failures(previous.version, contract.version, diff_contracts(before, contract))
    reasons[SEMANTIC_VERSION].extend(
        f"{failure.path}: {failure.reason} (registered {previous.version}, now {contract.version})"
        for failure in failures
    )


def _file(reasons: dict[str, list[str]], problems: list[Problem]) -> None:
    for problem in problems:
        if problem.severity == "error":
            reasons[_POLICY_OF_RULE.get(problem.rule, CONVENTIONS)].append(_reason(problem))


def _reason(problem: Problem) -> str:
    return f"{problem.path}: {problem.message}" if problem.path else problem.message


def _verdict(reasons: dict[str, list[str]], judged: set[str] | frozenset[str] = frozenset(POLICIES)) -> Verdict:
    return Verdict(tuple(
        PolicyResult(policy, not reasons[policy], tuple(reasons[policy])) for policy in POLICIES if policy in judged
    ))
