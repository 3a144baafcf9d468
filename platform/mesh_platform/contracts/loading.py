"""Finding and loading the contracts of the mesh: ``contracts/<domain>/<product>[.v<major>].odcs.yaml``.

The current major of a product lives in ``<product>.odcs.yaml``; an older major that is still live until its sunset
date is kept beside it as ``<product>.v<major>.odcs.yaml``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath

from mesh_platform.contracts.documents import Problem
from mesh_platform.contracts.errors import ContractError, ContractsDirNotFound, UnknownDataProduct
from mesh_platform.contracts.product import DataProductContract

CONTRACT_SUFFIX = ".odcs.yaml"
CONTRACT_GLOB = f"*/*{CONTRACT_SUFFIX}"
CONTRACTS_DIR_ENV = "MESH_CONTRACTS_DIR"
_FILE_NAME = re.compile(r"^(?P<product>[a-z0-9][a-z0-9-]*)(?:\.v(?P<major>[1-9]\d*))?\.odcs\.yaml$")


def default_contracts_dir(start: Path | None = None) -> Path:
    """The mesh's ``contracts/`` directory.

    ``$MESH_CONTRACTS_DIR`` if set; otherwise the first ``contracts/`` holding ``*/*.odcs.yaml`` found walking up
    from ``start`` (default: the current directory), then from this package's location.
    """
    configured = os.environ.get(CONTRACTS_DIR_ENV)
    if configured:
        path = Path(configured)
        if not path.is_dir():
            raise ContractsDirNotFound(f"{CONTRACTS_DIR_ENV}={configured} is not a directory")
        return path
    origins = [(start or Path.cwd()).resolve(), Path(__file__).resolve().parent]
    for origin in origins:
        for directory in (origin, *origin.parents):
            candidate = directory / "contracts"
            if candidate.is_dir() and any(candidate.glob(CONTRACT_GLOB)):
                return candidate
    raise ContractsDirNotFound(
        f"no contracts/ directory with {CONTRACT_GLOB} files above {origins[0]}; set {CONTRACTS_DIR_ENV}"
    )


def identity_problems(contract: DataProductContract, path: PurePath) -> list[Problem]:
    """Where the file's place (``<domain>/<product>[.v<major>].odcs.yaml``) and the contract disagree."""
    match = _FILE_NAME.match(path.name)
    if match is None:
        return [
            Problem(
                "(file name)",
                "file-name",
                f"file name {path.name!r} must be <product>{CONTRACT_SUFFIX} or "
                f"<product>.v<major>{CONTRACT_SUFFIX} (lower case, hyphens)",
            )
        ]
    problems: list[Problem] = []
    domain = path.parent.name
    expected_id = f"{domain}.{match['product']}"
    if contract.id != expected_id:
        problems.append(
            Problem(
                "id",
                "file-name-id",
                f"id {contract.id!r} disagrees with the file {domain}/{path.name}, which says {expected_id!r}",
            )
        )
    if contract.domain != domain:
        problems.append(
            Problem("domain", "file-name-domain", f"domain {contract.domain!r} disagrees with the directory {domain!r}")
        )
    if match["major"] is not None and int(match["major"]) != contract.major:
        problems.append(
            Problem(
                "version",
                "file-name-major",
                f"version {contract.version} is major {contract.major} but the file name says v{match['major']}",
            )
        )
    return problems


def load_contract_file(path: Path) -> DataProductContract:
    """Load and check one contract file; :class:`ContractError` names the file and the path of the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ContractError(path, "", f"cannot read the file: {e}") from e
    contract = DataProductContract.from_text(text, path)
    problems = identity_problems(contract, path)
    if problems:
        raise ContractError(path, problems[0].path, problems[0].message)
    return contract


def contract_files(directory: Path) -> list[Path]:
    """The contract files under a ``contracts/`` directory, sorted."""
    return sorted(directory.glob(CONTRACT_GLOB))


class ContractRegistry:
    """The loaded contracts, by ``(domain, product, major)``; two majors of one product may be live at once."""

    def __init__(self, contracts: Iterable[DataProductContract]) -> None:
        self._by_identity: dict[tuple[str, str, int], DataProductContract] = {}
        for contract in contracts:
            other = self._by_identity.get(contract.identity)
            if other is not None:
                raise ContractError(
                    contract.source,
                    "version",
                    f"{contract.id} major {contract.major} is also defined by {other.source}",
                )
            self._by_identity[contract.identity] = contract

    @classmethod
    def from_directory(cls, path: Path | None = None) -> ContractRegistry:
        """Load every ``<domain>/<product>[.v<major>].odcs.yaml`` under ``path``.

        ``path`` defaults to :func:`default_contracts_dir`; :class:`ContractError` names the first bad file and path.
        """
        directory = Path(path) if path is not None else default_contracts_dir()
        if not directory.is_dir():
            raise ContractsDirNotFound(f"{directory} is not a directory")
        return cls(load_contract_file(file) for file in contract_files(directory))

    def get(self, domain: str, product: str, major: int | None = None) -> DataProductContract:
        """The contract of one major of a product (the highest live major when ``major`` is None)."""
        if major is not None:
            contract = self._by_identity.get((domain, product, major))
            if contract is None:
                raise UnknownDataProduct(f"no contract for {domain}/{product} v{major}; known: {self._known()}")
            return contract
        majors = self.majors(domain, product)
        if not majors:
            raise UnknownDataProduct(f"no contract for {domain}/{product}; known: {self._known()}")
        return self._by_identity[(domain, product, majors[-1])]

    def majors(self, domain: str, product: str) -> list[int]:
        """The live majors of a product, ascending."""
        return sorted(m for (d, p, m) in self._by_identity if (d, p) == (domain, product))

    def successor(self, contract: DataProductContract) -> DataProductContract | None:
        """The next live major of the same product, if any (what a deprecated major's ``Link`` points to)."""
        later = [m for m in self.majors(contract.domain, contract.product) if m > contract.major]
        return self._by_identity[(contract.domain, contract.product, later[0])] if later else None

    def for_domain(self, domain: str) -> list[DataProductContract]:
        """The contracts a domain owns, by product then major."""
        return [c for c in self if c.domain == domain]

    def for_event_type(self, event_type: str) -> DataProductContract:
        """The contract whose topic carries ``event_type`` (a CloudEvents ``ce_type``)."""
        for contract in self:
            if event_type in contract.event_types:
                return contract
        raise UnknownDataProduct(f"no contract publishes event type {event_type!r}")

    def for_topic(self, topic: str) -> DataProductContract:
        """The contract published on Kafka ``topic``."""
        for contract in self:
            if contract.topic == topic:
                return contract
        raise UnknownDataProduct(f"no contract is published on topic {topic!r}")

    @property
    def domains(self) -> list[str]:
        """The domains that own at least one contract, sorted."""
        return sorted({c.domain for c in self})

    def __iter__(self) -> Iterator[DataProductContract]:
        return iter(self._by_identity[key] for key in sorted(self._by_identity))

    def __len__(self) -> int:
        return len(self._by_identity)

    def _known(self) -> str:
        return ", ".join(f"{d}/{p} v{m}" for d, p, m in sorted(self._by_identity)) or "none"
