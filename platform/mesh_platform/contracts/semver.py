"""Semantic versions of contracts (``MAJOR.MINOR.PATCH[-pre][+build]``)."""

from __future__ import annotations

import re
from typing import NamedTuple

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)


class SemanticVersion(NamedTuple):
    """A parsed semantic version; compares by precedence (a pre-release sorts before its release)."""

    major: int
    minor: int
    patch: int
    prerelease: str | None = None

    @classmethod
    def parse(cls, text: str) -> SemanticVersion:
        """``text`` as a version; ``ValueError`` if it is not ``MAJOR.MINOR.PATCH``."""
        match = _SEMVER.match(str(text))
        if not match:
            raise ValueError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        major, minor, patch, prerelease = match.groups()
        return cls(int(major), int(minor), int(patch), prerelease)

    def _key(self) -> tuple[int, int, int, int, str]:
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, self.prerelease or "")

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, SemanticVersion) and self._key() < other._key()

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, SemanticVersion) and self._key() > other._key()

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        return not self > other

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        return not self < other

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return f"{core}-{self.prerelease}" if self.prerelease else core
