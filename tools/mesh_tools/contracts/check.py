"""``mesh contracts check``: every contract in the work tree against its version at a base revision.

Contracts are matched by ``(domain, product, major)``, so renaming ``fighters.odcs.yaml`` to ``fighters.v1.odcs.yaml``
when v2 arrives compares v1 with v1. Within a major, breaking changes fail and the version must account for every
interface change; event schemas must also stay backward compatible with every earlier committed version of the same
major (backward transitive, from the file's git history). A new major needs a new port and topic, and the old
major must stay until its sunset date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from mesh_platform.contracts.compatibility import Change, Impact, diff_contracts, diff_fields, versioning_failures
from mesh_platform.contracts.errors import ContractError, GitError
from mesh_platform.contracts.loading import CONTRACT_SUFFIX, contract_files, load_contract_file
from mesh_platform.contracts.product import DataProductContract
from mesh_tools.contracts.git import GitRepository

DEFAULT_BASE_BRANCHES = ("main", "origin/main")
Identity = tuple[str, str, int]


@dataclass(frozen=True)
class CheckFailure:
    """Why the check fails: where, before, after, and why it breaks."""

    file: str
    path: str
    before: Any
    after: Any
    reason: str


@dataclass
class ProductCheck:
    """The verdict on one major of one product."""

    identity: Identity
    file: str
    verdict: str  # unchanged | changed | new product | new major | retired | removed | invalid
    base_version: str | None = None
    version: str | None = None
    changes: list[Change] = field(default_factory=list)
    failures: list[CheckFailure] = field(default_factory=list)


@dataclass
class CheckReport:
    """Every product's verdict against ``base_ref`` (commit ``base_commit``)."""

    base_ref: str
    base_commit: str
    products: list[ProductCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[CheckFailure]:
        return [failure for product in self.products for failure in product.failures]

    @property
    def ok(self) -> bool:
        return not self.failures


def default_base(repo: GitRepository) -> tuple[str, str]:
    """``(name, commit)`` of the merge base of HEAD with main; :class:`GitError` if there is none."""
    reasons = []
    for branch in DEFAULT_BASE_BRANCHES:
        try:
            return f"merge-base(HEAD, {branch})", repo.merge_base("HEAD", branch)
        except GitError as e:
            reasons.append(str(e))
    raise GitError("cannot find the merge base of HEAD with main (" + "; ".join(reasons) + "); pass --base <ref>")


def check_contracts(contracts_dir: Path, base_ref: str | None = None, *, today: date | None = None) -> CheckReport:
    """Compare every contract under ``contracts_dir`` with the base revision (default: merge base with main).

    :class:`GitError` when the directory is not in a repository or the base cannot be resolved.
    """
    repo = GitRepository.discover(contracts_dir)
    if base_ref:
        base_name, base_commit = base_ref, repo.resolve(base_ref)
    else:
        base_name, base_commit = default_base(repo)
    report = CheckReport(base_name, base_commit)
    working, invalid = _load_working(contracts_dir)
    report.products.extend(invalid)
    base = _load_base(repo, base_commit, repo.relative(contracts_dir), report.notes)
    day = today or date.today()
    for identity in sorted(set(working) | set(base)):
        if identity in working and identity in base:
            product = _compare_same_major(base[identity], working[identity])
            product.failures += _transitive_failures(repo, working[identity], product.changes, report.notes)
        elif identity in working:
            product = _new_major_or_product(working[identity], base)
        else:
            product = _removed(base[identity], working, day)
        report.products.append(product)
    return report


def _load_working(contracts_dir: Path) -> tuple[dict[Identity, DataProductContract], list[ProductCheck]]:
    loaded: dict[Identity, DataProductContract] = {}
    invalid: list[ProductCheck] = []
    for file in contract_files(contracts_dir):
        try:
            contract = load_contract_file(file)
        except ContractError as e:
            failure = CheckFailure(str(file), e.path, None, None, f"the contract does not load: {e.reason}")
            identity = (file.parent.name, file.name.removesuffix(CONTRACT_SUFFIX), 0)
            invalid.append(ProductCheck(identity, str(file), "invalid", failures=[failure]))
            continue
        if contract.identity in loaded:
            failure = CheckFailure(
                str(file),
                "version",
                None,
                contract.version,
                f"major {contract.major} is also defined by {loaded[contract.identity].source}",
            )
            invalid.append(ProductCheck(contract.identity, str(file), "invalid", failures=[failure]))
            continue
        loaded[contract.identity] = contract
    return loaded, invalid


def _load_base(
    repo: GitRepository, commit: str, directory: str, notes: list[str]
) -> dict[Identity, DataProductContract]:
    loaded: dict[Identity, DataProductContract] = {}
    for path in repo.list_files(commit, directory):
        relative = PurePosixPath(path).relative_to(directory)
        if len(relative.parts) != 2 or not relative.name.endswith(CONTRACT_SUFFIX):
            continue
        try:
            contract = DataProductContract.from_text(repo.read_file(commit, path), f"{commit[:8]}:{path}")
        except ContractError as e:
            notes.append(f"{commit[:8]}:{path} is not a usable contract at the base ({e.reason}); not compared")
            continue
        loaded[contract.identity] = contract
    return loaded


def _compare_same_major(before: DataProductContract, after: DataProductContract) -> ProductCheck:
    changes = diff_contracts(before, after)
    product = ProductCheck(
        after.identity, after.source, "changed" if changes else "unchanged", before.version, after.version, changes
    )
    for failure in versioning_failures(before.version, after.version, changes):
        product.failures.append(CheckFailure(after.source, failure.path, failure.before, failure.after, failure.reason))
    return product


def _transitive_failures(
    repo: GitRepository, contract: DataProductContract, base_changes: Iterable[Change], notes: list[str]
) -> list[CheckFailure]:
    """Breaking changes of event schemas against every committed version of the same major."""
    in_base = {_change_key(c) for c in base_changes if c.breaking}
    reported: set[str] = set()
    failures: list[CheckFailure] = []
    seen_texts: set[str] = set()
    try:
        history = repo.file_history(repo.relative(Path(contract.source)))
    except ValueError:
        return []
    for version in history:
        try:
            text = repo.read_file(version.commit, version.path)
        except GitError as e:
            notes.append(str(e))
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest in seen_texts:
            continue
        seen_texts.add(digest)
        try:
            old = DataProductContract.from_text(text, f"{version.commit[:8]}:{version.path}")
        except ContractError:
            continue  # a broken historical version published nothing usable
        if old.identity != contract.identity:
            continue
        for event_type in old.event_types:
            prefix = f"eventTypes[{event_type}]"
            if event_type not in contract.event_types:
                changes = [
                    Change(
                        prefix,
                        "event-type-removed",
                        event_type,
                        None,
                        Impact.BREAKING,
                        "events of this type on the topic lose their schema",
                    )
                ]
            else:
                changes = diff_fields(old.event_fields(event_type), contract.event_fields(event_type), prefix=prefix)
            for change in changes:
                if not change.breaking or _change_key(change) in in_base or change.path in reported:
                    continue
                reported.add(change.path)
                failures.append(
                    CheckFailure(
                        contract.source,
                        change.path,
                        change.before,
                        change.after,
                        f"{change.reason} [{change.rule}]. Events published under {old.version} (commit "
                        f"{version.commit[:8]}) stay on the topic: event schemas must remain backward compatible with "
                        f"every earlier version of major {contract.major}",
                    )
                )
    return failures


def _change_key(change: Change) -> tuple[str, str]:
    """A change's rule and path with the record or event-type prefix removed, to spot the same change twice."""
    path = change.path
    if path.startswith("eventTypes["):
        rest = path[path.index("]") + 1 :].lstrip(".")
        return change.rule, rest or path
    return change.rule, path.split(".", 1)[-1]


def _new_major_or_product(contract: DataProductContract, base: dict[Identity, DataProductContract]) -> ProductCheck:
    earlier = [
        c for (d, p, m), c in base.items() if (d, p) == (contract.domain, contract.product) and m < contract.major
    ]
    if not earlier:
        return ProductCheck(contract.identity, contract.source, "new product", None, contract.version)
    previous = max(earlier, key=lambda c: c.major)
    product = ProductCheck(
        contract.identity,
        contract.source,
        "new major",
        previous.version,
        contract.version,
        diff_contracts(previous, contract),
    )
    why = f"a new major is a new data product version served beside v{previous.major}"
    if contract.http_path == previous.http_path:
        product.failures.append(
            CheckFailure(
                contract.source,
                "servers.http.path",
                previous.http_path,
                contract.http_path,
                f"{why}: give it its own port /v{contract.major}",
            )
        )
    if contract.topic == previous.topic:
        product.failures.append(
            CheckFailure(
                contract.source,
                "servers.kafka.topic",
                previous.topic,
                contract.topic,
                f"{why}: publish it on its own topic .v{contract.major}",
            )
        )
    for event_type in set(contract.event_types) & set(previous.event_types):
        product.failures.append(
            CheckFailure(
                contract.source,
                f"eventTypes[{event_type}]",
                event_type,
                event_type,
                f"{why}: its event types end in .v{contract.major}",
            )
        )
    return product


def _removed(contract: DataProductContract, working: dict[Identity, DataProductContract], today: date) -> ProductCheck:
    later = [m for (d, p, m) in working if (d, p) == (contract.domain, contract.product) and m > contract.major]
    product = ProductCheck(contract.identity, contract.source, "removed", contract.version, None)
    if later and contract.sunset is not None and contract.sunset <= today:
        product.verdict = "retired"
        return product
    if later:
        reason = (
            f"v{contract.major} was removed but consumers may still use it: keep it (as "
            f"{contract.product}.v{contract.major}{CONTRACT_SUFFIX}, status deprecated) until its sunset date "
            f"({contract.sunset or 'none declared'})"
        )
    else:
        reason = (
            f"the data product {contract.domain}/{contract.product} v{contract.major} was removed with no successor"
        )
    product.failures.append(CheckFailure(contract.source, "(file)", contract.version, None, reason))
    return product
