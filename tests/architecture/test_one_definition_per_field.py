"""One definition per field: a field of a product appears in at most two source files of its domain.

The entity's model (``domain/model.py``) defines every field with its rules; the table may name it again where SQL needs
more than the type (key, index, width). Migrations and the contract are outside the count: they are the history and
the promise. Anything else naming a field (a hand-written mapper, a second schema, a second copy of a rule) is the
repetition this test exists to stop.

A file "names" a field when the field appears as an attribute (``row.reach_cm``), a keyword (``reach_cm=``), a class
attribute (``reach_cm: int``) or as a whole string (``"reach_cm"``, ``field="reach_cm"``). Local variables,
parameters and words in messages are not field definitions and are not counted.

Modules about other domains' products (the generated ``consumed_events.py``, the modules importing it, replica
modules ``*replica.py``/``*replicas.py`` and HTTP readers ``*_directory.py``) name those products' fields, which may
share a name with ours (``weight_class``); they are the producer's fields, not ours, and are left out.

The keys of the domain's products are exempt (``bouts.card_id`` is the key of ``event-cards``): a key is how commands,
errors and events address an entity (``/cards/{card_id}/bouts``), not a field one adds.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = sorted(path.name for path in (ROOT / "domains").iterdir() if (path / "pyproject.toml").exists())
MAX_FILES = 2
# Domains still on hand-written mappers (issue 9, item 1 is open for them); strict, so converting one turns this red
# until it is taken off the list.
NOT_YET_CONVERTED: set[str] = set()


def contract_fields(domain: str) -> Iterator[tuple[str, str]]:
    """(product, field) of every property of every contract of ``domain``, the keys of its products left out."""
    contracts = {
        path.name.removesuffix(".odcs.yaml"): yaml.safe_load(path.read_text())
        for path in sorted((ROOT / "contracts" / domain).glob("*.odcs.yaml"))
    }
    properties = [
        (product, prop)
        for product, contract in contracts.items()
        for schema in contract.get("schema", [])
        for prop in schema.get("properties", [])
    ]
    keys = {prop["name"] for _product, prop in properties if prop.get("primaryKey")}
    for product, prop in properties:
        if prop["name"] not in keys:
            yield product, prop["name"]


def _about_consumed_products(path: Path) -> bool:
    if path.name == "consumed_events.py" or path.stem.endswith(("replica", "replicas", "_directory")):
        return True
    tree = ast.parse(path.read_text(), filename=str(path))
    return any(
        isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".consumed_events") for node in ast.walk(tree)
    )


def source_files(domain: str) -> list[Path]:
    package = ROOT / "domains" / domain / domain
    return sorted(
        path
        for path in package.rglob("*.py")
        if "migrations" not in path.relative_to(package).parts and not _about_consumed_products(path)
    )


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def names_in(path: Path) -> set[str]:
    """Every identifier or string word ``path`` uses as a field (see the module's docstring)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = _docstrings(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, ast.ClassDef):
            names.update(
                statement.target.id
                for statement in node.body
                if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            names.add(node.value)
    return names


def files_naming(field: str, files: list[Path], names: dict[Path, set[str]]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in files if field in names[path]]


@pytest.mark.parametrize("domain", [
    pytest.param(domain, marks=pytest.mark.xfail(strict=True, reason="hand-written mappers")) if domain in NOT_YET_CONVERTED
    else domain
    for domain in DOMAINS
])
def test_every_contract_field_is_named_in_at_most_two_source_files_of_its_domain(domain):
    files = source_files(domain)
    names = {path: names_in(path) for path in files}
    too_many = {
        f"{product}.{field}": found
        for product, field in contract_fields(domain)
        if len(found := files_naming(field, files, names)) > MAX_FILES
    }
    assert too_many == {}


def test_the_count_sees_a_hand_written_mapper(tmp_path):
    # The rule must be able to fail: a mapper listing fields by hand is counted, a docstring mentioning one is not.
    mapper = tmp_path / "mapper.py"
    mapper.write_text('"""reach_cm"""\n\ndef record(row):\n    return {"reach_cm": row.height_cm, "x": f(stance=1)}\n')
    assert {"reach_cm", "height_cm", "stance"} <= names_in(mapper)
    docstring_only = tmp_path / "documented.py"
    docstring_only.write_text('"""reach_cm"""\n\ndef record(row, reach_cm):\n    return reach_cm\n')
    assert "reach_cm" not in names_in(docstring_only)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_tables_derived_from_the_domain_are_exactly_what_the_migrations_build(domain, tmp_path):
    # Tables inherit their columns from the domain's models, so a field added to a model must come with a migration
    # (and a column width or index named in the table must be the migrated one): alembic's autogenerate finds nothing.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from mesh_platform.store.engine import create_store_engine
    from mesh_platform.store.migrations import upgrade_store

    tables = importlib.import_module(f"{domain}.adapters.tables")
    migrations = ROOT / "domains" / domain / domain / "migrations"
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        upgrade_store(engine, migrations)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, tables.PLATFORM_TABLES.outbox.metadata)
    finally:
        engine.dispose()
    assert differences == []
