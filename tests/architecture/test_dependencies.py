"""Builds are reproducible: every third-party import is declared by the package that makes it, and the lock pins
every third-party distribution the packages and tools install."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {  # package folder → its importable code
    "platform": "platform/mesh_platform",
    "tools": "tools/mesh_tools",
    "catalog": "catalog/catalog",
    "demo": "demo/octagon_demo",
    **{f"domains/{d.name}": f"domains/{d.name}/{d.name}" for d in sorted((ROOT / "domains").iterdir()) if d.is_dir()},
}
FIRST_PARTY = {"mesh_platform", "mesh_tools", "catalog", "octagon_demo", *(Path(p).name for p in PACKAGES.values())}
OWN_DISTRIBUTIONS_PREFIX = "octagon-"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(package: str) -> set[str]:
    project = tomllib.loads((ROOT / package / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *(r for extra in project.get("optional-dependencies", {}).values() for r in extra)]
    return {canonical(re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]) for requirement in requirements}


def imported_roots(code: Path) -> dict[str, str]:
    """Top-level modules imported by the code under ``code``, each with one file that imports it."""
    found: dict[str, str] = {}
    for path in code.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_third_party_import_is_declared_by_the_package_that_imports_it(package):
    providers = packages_distributions()
    own = declared(package)
    undeclared = []
    for module, where in sorted(imported_roots(ROOT / PACKAGES[package]).items()):
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module == "__future__":
            continue
        candidates = {canonical(name) for name in providers.get(module, [module])}
        if not candidates & own:
            undeclared.append(f"{module} (from {sorted(candidates)}, imported in {where})")
    assert undeclared == [], f"{package}/pyproject.toml does not declare: {undeclared}"


def required_distributions() -> dict[str, str]:
    """Every distribution our packages and dev tools need, transitively, with the version installed here."""
    roots = [Requirement(line) for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    roots += [Requirement(name) for name in ("octagon-mesh-platform", "octagon-mesh-tools", "octagon-catalog", "octagon-demo")]
    roots += [Requirement(f"octagon-{path.name}") for path in (ROOT / "domains").iterdir() if path.is_dir()]
    found: dict[str, str] = {}
    pending = [(requirement, "") for requirement in roots]
    while pending:
        requirement, extra = pending.pop()
        name = canonical(requirement.name)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        try:
            installed = distribution(requirement.name)
        except PackageNotFoundError:
            continue  # an optional dependency of another platform or Python version
        extras = sorted(requirement.extras)
        if name in found and not extras:
            continue
        found[name] = installed.version
        for child in installed.requires or []:
            parsed = Requirement(child)
            for wanted in extras or [""]:
                if parsed.marker is None or parsed.marker.evaluate({"extra": wanted}):
                    pending.append((parsed, wanted))
    return found


def test_the_lock_pins_every_distribution_the_packages_and_tools_need_at_the_installed_version():
    pinned = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[canonical(name)] = version.strip()
    stale = [
        f"{name}=={version} (lock: {pinned.get(name, 'missing')})"
        for name, version in sorted(required_distributions().items())
        if not name.startswith(OWN_DISTRIBUTIONS_PREFIX) and name not in {"pip", "setuptools", "wheel"}
        and pinned.get(name) != version
    ]
    assert stale == [], f"requirements.lock is stale (run scripts/lock.sh): {stale}"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_third_party_dependency_has_a_range_not_just_a_floor(package):
    project = tomllib.loads((ROOT / package / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *(r for extra in project.get("optional-dependencies", {}).values() for r in extra)]
    open_ended = [r for r in requirements if not r.startswith(OWN_DISTRIBUTIONS_PREFIX) and "<" not in r]
    assert open_ended == [], f"{package}: give these an upper bound: {open_ended}"


# What the runtime needs without importing it by name: the server its services run under, the PostgreSQL driver
# SQLAlchemy loads from a DATABASE_URL, the C checksum kafka-python loads when present.
RUNTIME_NEEDS_WITHOUT_IMPORT = {"uvicorn", "psycopg", "crc32c"}


def test_the_runtime_declares_only_what_it_imports_or_runs_under():
    # Service images install the runtime alone: a dependency only the tools use (typer, rich, pytest...) belongs to
    # tools/pyproject.toml, so it never lands in an image.
    providers = packages_distributions()
    imported = {
        canonical(name)
        for module in imported_roots(ROOT / PACKAGES["platform"])
        for name in providers.get(module, [module])
    }
    unused = sorted(declared("platform") - imported - RUNTIME_NEEDS_WITHOUT_IMPORT)
    assert unused == [], f"platform/pyproject.toml declares what the runtime never imports: {unused}"
