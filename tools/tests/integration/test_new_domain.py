"""``mesh new-domain`` end to end: scaffold into a fresh root, lint the contract, run the new domain's own suite."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh_tools.cli.app import app
from mesh_tools.contracts.lint import lint_paths

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


@pytest.fixture
def root(tmp_path):
    """A repository root with nothing but what a new domain needs, and the repository's tool configuration."""
    (tmp_path / "domains").mkdir()
    (tmp_path / "contracts").mkdir()
    shutil.copy(REPOSITORY / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def new_domain(*arguments):
    return CliRunner().invoke(app, ["new-domain", *arguments])


def test_scaffolded_domain_passes_lint_and_its_own_tests_out_of_the_box(root):
    result = new_domain("ticket-sales", "--root", str(root), "--no-install")
    assert result.exit_code == 0, result.output
    assert "created contracts/ticket-sales/ticket-sales.odcs.yaml" in result.output
    assert "Next steps" in result.output
    domain = root / "domains" / "ticket-sales"
    assert {p.name for p in domain.iterdir()} >= {"pyproject.toml", "Dockerfile", "ticket_sales", "tests"}

    report = lint_paths([root / "contracts"])
    assert report.files == [str(root / "contracts" / "ticket-sales" / "ticket-sales.odcs.yaml")]
    assert report.findings == []
    reference = subprocess.run(
        [BIN / "datacontract", "lint", root / "contracts" / "ticket-sales" / "ticket-sales.odcs.yaml"],
        capture_output=True, text=True,
    )
    assert reference.returncode == 0, reference.stdout + reference.stderr
    style = subprocess.run([BIN / "ruff", "check", "--no-cache", "."], cwd=root, capture_output=True, text=True)
    assert style.returncode == 0, style.stdout

    suite = subprocess.run(
        [sys.executable, "-m", "pytest", domain / "tests", "-q"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(domain), "MESH_CONTRACTS_DIR": str(root / "contracts")},
        capture_output=True, text=True, timeout=300,
    )
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
    summary = suite.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and not re.search(r"failed|error|skipped", summary), summary


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("platform", "reserved by the mesh"),
        ("json", "shadow the standard library"),
        ("catalog", "reserved by the mesh"),
        ("roster", "already"),
        ("Ticket_Sales", "lower-case letters"),
    ],
)
def test_refused_names_exit_2_with_the_reason_and_write_nothing(root, name, reason):
    (root / "domains" / "roster").mkdir()
    result = new_domain(name, "--root", str(root), "--no-install")
    assert result.exit_code == 2
    assert reason in result.stderr
    assert [p.name for p in (root / "domains").iterdir()] == ["roster"]
    assert list((root / "contracts").iterdir()) == []


def test_without_root_the_repository_is_found_from_the_working_directory(root, monkeypatch):
    monkeypatch.chdir(root / "domains")
    result = new_domain("venues", "--no-install")
    assert result.exit_code == 0, result.output
    assert (root / "domains" / "venues" / "venues" / "app.py").is_file()
    assert (root / "contracts" / "venues" / "venues.odcs.yaml").is_file()


def test_outside_a_repository_without_root_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = new_domain("venues", "--no-install")
    assert result.exit_code == 2
    assert "pass --root" in result.stderr


def test_a_root_that_is_not_a_mesh_repository_is_a_usage_error(tmp_path):
    result = new_domain("venues", "--root", str(tmp_path), "--no-install")
    assert result.exit_code == 2
    assert "does not hold domains/ and contracts/" in result.stderr
    assert list(tmp_path.iterdir()) == []
