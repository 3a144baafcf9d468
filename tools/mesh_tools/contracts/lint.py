"""``mesh contracts lint``: ODCS v3.1.0 validity, the platform's structural needs, and our governance rules.

Every finding names the file and the path inside the contract; a file that cannot be read or parsed yields a finding,
never an exception.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mesh_platform.contracts.documents import Problem, Severity, odcs_problems, parse_odcs, read_document
from mesh_platform.contracts.errors import ContractError
from mesh_platform.contracts.glossary import Glossary, glossary_dir_for, glossary_link_problems, load_glossary
from mesh_platform.contracts.governance import contract_problems, document_problems
from mesh_platform.contracts.loading import CONTRACT_GLOB, CONTRACT_SUFFIX, identity_problems
from mesh_platform.contracts.product import DataProductContract, structural_problems


@dataclass(frozen=True)
class LintFinding:
    """One problem in one contract file."""

    file: str
    path: str
    rule: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message} [{self.rule}]"


@dataclass
class LintReport:
    """The findings of one lint run over ``files``."""

    files: list[str] = field(default_factory=list)
    findings: list[LintFinding] = field(default_factory=list)

    @property
    def errors(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No errors (warnings do not fail the lint)."""
        return not self.errors


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Contract files named by ``paths``: files as given, directories searched for ``*.odcs.yaml``.

    :class:`FileNotFoundError` for a path that does not exist (a usage error, not a finding).
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob(CONTRACT_GLOB)) or sorted(path.rglob(f"*{CONTRACT_SUFFIX}"))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
    return list(dict.fromkeys(files))


def lint_paths(paths: Sequence[Path]) -> LintReport:
    """Lint every contract under ``paths``, then the rules that span files (majors of one product)."""
    report = LintReport()
    contracts: list[DataProductContract] = []
    for file in expand_paths(paths):
        findings, contract = lint_file(file)
        report.files.append(str(file))
        report.findings.extend(findings)
        if contract is not None:
            contracts.append(contract)
    report.findings.extend(cross_file_findings(contracts))
    report.findings.extend(glossary_findings(contracts))
    return report


def lint_file(file: Path) -> tuple[list[LintFinding], DataProductContract | None]:
    """The findings of one file, and the contract when it could be built."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [LintFinding(str(file), "", "read", f"cannot read the file: {e}")], None
    return lint_text(text, file)


def lint_text(text: str, file: Path) -> tuple[list[LintFinding], DataProductContract | None]:
    """The findings of a contract's ``text`` as if it were stored at ``file``."""

    def findings(problems: Iterable[Problem]) -> list[LintFinding]:
        return [LintFinding(str(file), p.path, p.rule, p.message, p.severity) for p in problems]

    try:
        document = read_document(text, file)
    except ContractError as e:
        return [LintFinding(str(file), e.path, "yaml", e.reason)], None
    problems = odcs_problems(document)
    if problems:
        return findings(problems), None
    try:
        odcs = parse_odcs(document, file)
    except ContractError as e:
        return [LintFinding(str(file), e.path, "odcs-model", e.reason)], None
    found = findings(document_problems(odcs)) + findings(spc_rule_problems(document))
    structural = structural_problems(odcs, document)
    if structural:
        return findings(structural) + found, None
    contract = DataProductContract(odcs, document, str(file))
    found += findings(identity_problems(contract, file))
    found += findings(contract_problems(contract))
    return found, contract


def spc_rule_problems(document: dict[str, Any]) -> list[Problem]:
    """Statistical process control rules (``type: custom``, ``engine: octagon-spc``) that cannot run as written."""
    from mesh_platform.quality.spc_rules import spc_rules_of_document  # the quality package imports contracts

    return [Problem(problem.path, "spc-rule", problem.message) for problem in spc_rules_of_document(document)[1]]


def glossary_findings(contracts: Sequence[DataProductContract]) -> list[LintFinding]:
    """The business glossary beside the contracts (``<contracts>/glossary/``): its own problems, reported once, and
    each contract's term links (an undefined term is an error; a field named like a term without a link, a warning).
    """
    findings: list[LintFinding] = []
    glossaries: dict[Path, Glossary] = {}
    for contract in contracts:
        directory = glossary_dir_for(Path(contract.source))
        glossary = glossaries.get(directory)
        if glossary is None:
            glossary = glossaries[directory] = load_glossary(directory)
            findings.extend(LintFinding(p.file, p.path, p.rule, p.message) for p in glossary.problems)
        findings.extend(
            LintFinding(contract.source, p.path, p.rule, p.message, p.severity)
            for p in glossary_link_problems(contract.document, glossary)
        )
    return findings


def cross_file_findings(contracts: Sequence[DataProductContract]) -> list[LintFinding]:
    """Rules spanning files: one file per major; older live majors are deprecated with a sunset date."""
    findings: list[LintFinding] = []
    by_product: dict[tuple[str, str], list[DataProductContract]] = defaultdict(list)
    for contract in contracts:
        by_product[(contract.domain, contract.product)].append(contract)
    for majors in by_product.values():
        seen: dict[int, DataProductContract] = {}
        for contract in sorted(majors, key=lambda c: c.major):
            if contract.major in seen:
                findings.append(
                    LintFinding(
                        contract.source,
                        "version",
                        "duplicate-major",
                        f"major {contract.major} of {contract.id} is also defined by {seen[contract.major].source}",
                    )
                )
            seen[contract.major] = contract
        latest = max(seen)
        for major, contract in seen.items():
            if major != latest and (not contract.deprecated or contract.sunset is None):
                findings.append(
                    LintFinding(
                        contract.source,
                        "status",
                        "superseded-major",
                        f"major {major} is superseded by v{latest}: mark it deprecated with a "
                        f"customProperty sunsetDate",
                    )
                )
    return findings
