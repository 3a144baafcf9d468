"""A small platform surface: domains reach the platform through ``mesh_platform.domain_api`` (their tests also through
the test kit ``mesh_tools.testing``), and that module exports only what domains use.

Files written before the surface existed, or busy with other work when it arrived, are listed in ``NOT_YET_ON_SURFACE``.
The list only shrinks: a listed file that no longer reaches past the surface fails the test until it is removed.
"""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SURFACE = "mesh_platform.domain_api"
TEST_KIT = "mesh_tools.testing"
DOMAINS = sorted(path.name for path in (ROOT / "domains").iterdir() if (path / "pyproject.toml").exists())
SCAFFOLD = ROOT / "tools" / "mesh_tools" / "scaffold" / "templates" / "domain"

# Files that still import platform internals (paths from the repository root). Move each onto the surface (export
# what it needs from mesh_platform/domain_api.py if a domain truly needs it) and delete its line; never add one.
NOT_YET_ON_SURFACE = {
    "domains/results/tests/integration/conftest.py",
    "domains/roster/tests/integration/test_event_port.py",
    "domains/roster/tests/integration/test_quality_monitor.py",
    "domains/schedule/tests/integration/test_schedule_api.py",
    "domains/stats/tests/integration/conftest.py",
    "domains/stats/tests/integration/test_replay.py",
}

_IMPORT = re.compile(r"^\s*from\s+(mesh_platform[\w.]*)\s+import\s+(\([^)]*\)|[^\n]*)|^\s*import\s+(mesh_platform[\w.]*)", re.M)


def platform_imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of every import of a ``mesh_platform`` module in ``path`` (a module or a template)."""
    found = []
    for match in _IMPORT.finditer(path.read_text()):
        if match.group(3):
            found.append((match.group(3), []))
            continue
        names = match.group(2).strip("() \n").split("#")[0]
        found.append((match.group(1), [n.split(" as ")[0].strip() for n in re.split(r"[,\n]", names) if n.strip()]))
    return found


def domain_files(tests: bool) -> list[Path]:
    """Each domain's package (or its tests), and the scaffold's templates of the same, which new domains start from."""
    files = []
    for domain in DOMAINS:
        for path in (ROOT / "domains" / domain).rglob("*.py"):
            parts = path.relative_to(ROOT / "domains" / domain).parts
            if parts[0] in ("build",) or parts[0].endswith(".egg-info"):
                continue
            if (parts[0] == "tests") == tests:
                files.append(path)
    for path in SCAFFOLD.rglob("*.py.tmpl"):
        if (path.relative_to(SCAFFOLD).parts[0] == "tests") == tests:
            files.append(path)
    return sorted(files)


def allowed(module: str, tests: bool) -> bool:
    return module == SURFACE or (tests and (module == TEST_KIT or module.startswith(TEST_KIT + ".")))


def reaching_past_the_surface(path: Path, tests: bool) -> list[str]:
    return [module for module, _names in platform_imports(path) if not allowed(module, tests)]


@pytest.mark.parametrize("tests", [False, True], ids=["domain code", "domain tests"])
def test_domains_reach_the_platform_only_through_its_surface(tests):
    offending = [
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(set(modules)))}"
        for path in domain_files(tests)
        if str(path.relative_to(ROOT)) not in NOT_YET_ON_SURFACE
        and (modules := reaching_past_the_surface(path, tests))
    ]
    assert offending == [], f"import these from {SURFACE} (export what a domain needs there):\n" + "\n".join(offending)


def test_the_list_of_files_not_yet_on_the_surface_only_shrinks():
    moved = [
        name for name in sorted(NOT_YET_ON_SURFACE)
        if (ROOT / name).exists() and not reaching_past_the_surface(ROOT / name, "/tests/" in f"/{name}")
    ]
    assert moved == [], "these files use only the surface now; delete them from NOT_YET_ON_SURFACE"


def test_the_surface_exports_only_what_domains_use():
    surface = importlib.import_module(SURFACE)
    used = {
        name for tests in (False, True) for path in domain_files(tests)
        for _module, names in platform_imports(path) for name in names
    }
    assert sorted(set(surface.__all__) - used) == [], "exported but used by no domain: drop it from __all__"


def test_the_surface_exports_exactly_its_all():
    surface = importlib.import_module(SURFACE)
    # (isidentifier: pytest's assertion rewriting adds "@py_builtins" when it rewrites the platform's modules)
    public = {name for name in vars(surface) if name.isidentifier() and not name.startswith("_")}
    assert len(surface.__all__) == len(set(surface.__all__))
    assert public == set(surface.__all__)
