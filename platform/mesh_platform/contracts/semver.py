"""Semantic versions of contracts (``MAJOR.MINOR.PATCH[-pre][+build]``), by the ``semver`` package.

Precedence follows the SemVer 2.0.0 specification: a pre-release sorts before its release, and numeric
pre-release identifiers compare as numbers (``1.0.0-alpha.2`` < ``1.0.0-alpha.10``).
"""

from __future__ import annotations

from semver import Version


def parse_version(text: str) -> Version:
    """``text`` as a version; ``ValueError`` naming it when it is not ``MAJOR.MINOR.PATCH[-pre][+build]``."""
    try:
        return Version.parse(str(text))
    except (ValueError, TypeError) as e:
        raise ValueError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH)") from e
