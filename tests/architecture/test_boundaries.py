"""The Bezos mandate, checked: domains talk only through published interfaces."""

import ast
import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = sorted(path.name for path in (ROOT / "domains").iterdir() if (path / "pyproject.toml").exists())


def imported_modules(source_dir: Path) -> list[tuple[Path, str]]:
    found = []
    for path in source_dir.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def test_import_platform_still_gives_the_standard_library_module():
    sys.modules.pop("platform", None)
    module = importlib.import_module("platform")
    assert hasattr(module, "python_version")
    assert not (ROOT / "platform" / "__init__.py").exists()


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_imports_no_other_domain_and_not_the_catalog(domain):
    forbidden = {other for other in DOMAINS if other != domain} | {"catalog"}
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imported_modules(ROOT / "domains" / domain)
        if module.split(".")[0] in forbidden
    ]
    assert offending == []


def test_platform_imports_no_domain_and_not_the_catalog():
    forbidden = set(DOMAINS) | {"catalog"}
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imported_modules(ROOT / "platform" / "mesh_platform")
        if module.split(".")[0] in forbidden
    ]
    assert offending == []


def test_catalog_imports_no_domain():
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imported_modules(ROOT / "catalog")
        if module.split(".")[0] in set(DOMAINS)
    ]
    assert offending == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_reads_no_other_domains_database_url(domain):
    others = [other.upper() for other in DOMAINS if other != domain] + ["CATALOG"]
    pattern = re.compile(r"\b(" + "|".join(others) + r")_DATABASE_URL\b")
    offending = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "domains" / domain).rglob("*")
        if path.is_file() and path.suffix in {".py", ".toml", ".ini", ".cfg", ".env", ""} and pattern.search(path.read_text(errors="ignore"))
    ]
    assert offending == []


def test_domain_logic_knows_nothing_of_web_broker_or_sql():
    infrastructure = {"fastapi", "starlette", "kafka", "sqlalchemy", "sqlmodel", "httpx", "alembic"}
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for domain in DOMAINS
        for layer in ("domain", "service")
        if (ROOT / "domains" / domain / domain / layer).exists()
        for path, module in imported_modules(ROOT / "domains" / domain / domain / layer)
        if module.split(".")[0] in infrastructure
    ]
    assert offending == []


SERVICE_CODE = {  # what a service image installs and runs: the runtime, the catalog, each domain (not their tests)
    "platform": ROOT / "platform" / "mesh_platform",
    "catalog": ROOT / "catalog" / "catalog",
    **{domain: ROOT / "domains" / domain / domain for domain in DOMAINS},
}


@pytest.mark.parametrize("package", sorted(SERVICE_CODE))
def test_what_a_service_runs_never_imports_the_tooling_distribution(package):
    # Service images install octagon-mesh-platform alone (tests/architecture/test_containers.py): an import of
    # mesh_tools — even a lazy one inside a function — would fail there at run time.
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imported_modules(SERVICE_CODE[package])
        if module.split(".")[0] == "mesh_tools"
    ]
    assert offending == []
