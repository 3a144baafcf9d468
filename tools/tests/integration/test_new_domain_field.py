"""Adding a field to a freshly scaffolded domain: one source file, the contract and a migration.

The test makes the edits a developer makes (the field in the domain's model, the property in the contract, an
Alembic revision), counts the domain's non-migration source files that name the field, and then runs the domain's own
suite plus a test of the field's way through every interface (request, validation, reply, store, data product,
event), so the count cannot come from a field that does not work.
"""

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

MODEL_LINE = "    name: str = Field(min_length=1, max_length=120)\n"
NEW_FIELD = "    capacity: int | None = Field(default=None, ge=1, le=200_000)\n"
CONTRACT_ANCHOR = "      - name: status\n"
CONTRACT_PROPERTY = """\
      - name: capacity
        logicalType: integer
        logicalTypeOptions:
          minimum: 1
          maximum: 200000
        required: false
        classification: public
        description: How many spectators the venue holds, when known.
        examples: [18000]
"""
MIGRATION = '''"""venues.capacity

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("venues") as table:
        table.add_column(sa.Column("capacity", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("venues") as table:
        table.drop_column("capacity")
'''
FIELD_TEST = '''import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.service import bearer, trusting_test_authority
from venues.adapters.tables import PLATFORM_TABLES
from venues.app import create_app
from venues.settings import VenuesSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(store_url, tmp_path):
    return VenuesSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False, subscriptions_enabled=False,
                          **trusting_test_authority())


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        client.headers.update(test_authority().bearer("venues-desk", ["write:venues"]))
        yield client


def test_the_new_field_travels_through_request_store_product_and_event(client, settings):
    created = client.post("/venues", json={"name": "Arena", "capacity": 18000})
    assert created.status_code == 201 and created.json()["capacity"] == 18000
    record = client.get(f"/data-products/venues/v1/{created.json()['venue_id']}", headers=bearer(settings)).json()
    assert record["capacity"] == 18000
    contract = client.app.state.domain_service.contracts.get("venues", "venues", 1)
    contract.validate_record(record)
    outbox = PLATFORM_TABLES.outbox
    with client.app.state.domain_service.engine.connect() as connection:
        payload = connection.execute(select(outbox.c.payload)).scalar_one()
    assert payload["capacity"] == 18000
    contract.validate_event("octagon.venues.venue.registered.v1", payload)


def test_the_new_fields_rule_refuses_bad_input_naming_it(client):
    refused = client.post("/venues", json={"name": "Arena", "capacity": 0})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["capacity"]
'''


def files_naming(field: str, package: Path) -> list[str]:
    pattern = re.compile(rf"\b{field}\b")
    return sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "migrations" not in path.relative_to(package).parts and pattern.search(path.read_text())
    )


def test_a_new_field_is_written_in_one_source_file_plus_contract_and_migration(tmp_path):
    (tmp_path / "domains").mkdir()
    (tmp_path / "contracts").mkdir()
    shutil.copy(REPOSITORY / "pyproject.toml", tmp_path / "pyproject.toml")
    result = CliRunner().invoke(app, ["new-domain", "venues", "--root", str(tmp_path), "--no-install"])
    assert result.exit_code == 0, result.output
    domain = tmp_path / "domains" / "venues"
    package = domain / "venues"
    contract = tmp_path / "contracts" / "venues" / "venues.odcs.yaml"
    assert files_naming("capacity", package) == []

    model = package / "domain" / "model.py"
    assert MODEL_LINE in model.read_text()
    model.write_text(model.read_text().replace(MODEL_LINE, MODEL_LINE + NEW_FIELD))
    assert CONTRACT_ANCHOR in contract.read_text()
    contract.write_text(contract.read_text().replace(CONTRACT_ANCHOR, CONTRACT_PROPERTY + CONTRACT_ANCHOR))
    (package / "migrations" / "versions" / "0002_capacity.py").write_text(MIGRATION)

    touched = files_naming("capacity", package)
    print(f"source files naming the new field: {len(touched)} {touched} (+ the contract and one migration)")
    assert touched == ["domain/model.py"]

    assert lint_paths([tmp_path / "contracts"]).findings == []
    (domain / "tests" / "integration" / "test_capacity.py").write_text(FIELD_TEST)
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", domain / "tests", "-q"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(domain), "MESH_CONTRACTS_DIR": str(tmp_path / "contracts")},
        capture_output=True, text=True, timeout=300,
    )
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
    summary = suite.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and not re.search(r"failed|error|skipped", summary), summary
