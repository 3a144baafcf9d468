"""What can go wrong with contracts, each carrying the place and the reason.

Loading errors name the contract file and the path inside it; violations name the path inside a record.
Neither knows anything of HTTP or the CLI: the edges turn them into problem responses or exit codes.
"""

from __future__ import annotations

from pathlib import Path


class ContractError(Exception):
    """A contract document cannot be used: invalid YAML, not ODCS v3.1.0, or not a usable data product."""

    def __init__(self, source: str | Path, path: str, reason: str) -> None:
        self.source = str(source)
        self.path = path
        self.reason = reason
        super().__init__(f"{self.source}: {path or '(document)'}: {reason}")


class ContractViolation(ValueError):
    """A record or event payload does not conform to its contract's schema.

    ``path`` points into the payload (``height_cm``, ``entries[2].rank``; empty for the payload itself).
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path or '(payload)'}: {reason}")


class UnknownDataProduct(LookupError):
    """No loaded contract matches the requested domain, product, major version or event type."""


class ContractsDirNotFound(FileNotFoundError):
    """No ``contracts/`` directory holding ``<domain>/<product>.odcs.yaml`` files could be found."""


class GitError(Exception):
    """A git command needed to read contracts at another revision failed (unknown ref, not a repository...)."""
