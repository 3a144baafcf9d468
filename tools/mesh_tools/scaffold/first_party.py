"""The new package is first-party code, like ``mesh_platform``: its imports sort in one block with the platform's,
and the repository's import-sorting rule (ruff's isort, ``known-first-party``) learns its name.

Without this the generated modules would pass ``ruff check`` only for some domain names: where ``awards`` sorts
before ``mesh_platform`` and ``venues`` after it, and tests (outside the package) see it as third-party.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_KNOWN_FIRST_PARTY = re.compile(r"^(?P<head>known-first-party\s*=\s*\[)(?P<items>[^\]]*)\]", re.MULTILINE)


def order_first_party_imports(text: str, package: str) -> str:
    """``text`` with each run of consecutive ``from mesh_platform…``/``from <package>…`` lines sorted by module."""
    prefixes = ("from mesh_platform.", "from mesh_platform ", f"from {package}.", f"from {package} ")
    lines = text.splitlines(keepends=True)
    ordered: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.startswith(prefixes):
            run.append(line)
            continue
        ordered += sorted(run, key=lambda statement: statement.split()[1].lower())
        run = []
        ordered.append(line)
    return "".join(ordered)


def add_known_first_party(pyproject: Path, package: str) -> bool:
    """Add ``package`` to the ``known-first-party`` list of ``pyproject``'s ``[tool.ruff.lint.isort]``.

    True when the list holds it afterwards; False (and nothing written) when there is no such list to extend.
    """
    if not pyproject.is_file():
        return False
    text = pyproject.read_text(encoding="utf-8")
    if package in _known_first_party(text):
        return True
    match = _KNOWN_FIRST_PARTY.search(text)
    if match is None:
        return False
    items = match["items"]
    kept = items.rstrip()
    trailing = items[len(kept) :]
    if not kept.strip():
        extended = f'"{package}"{trailing}'
    elif kept.endswith(","):
        extended = f'{kept} "{package}",{trailing}'
    else:
        extended = f'{kept}, "{package}"{trailing}'
    updated = text[: match.start("items")] + extended + text[match.end("items") :]
    if package not in _known_first_party(updated):
        return False
    pyproject.write_text(updated, encoding="utf-8")
    return True


def _known_first_party(text: str) -> list[str]:
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    isort = config.get("tool", {}).get("ruff", {}).get("lint", {}).get("isort", {})
    return list(isort.get("known-first-party", []))
