"""`datacontract test` (datacontract-cli with duckdb) passes against every product of the running mesh.

Each contract lists the product's analytical port as its server with id ``analytical`` (``type: api``): the CLI
fetches the whole-product NDJSON snapshot with the token in ``DATACONTRACT_API_HEADER_AUTHORIZATION`` and runs every
schema, quality and service-level check of the contract on it. The location reads ``${<DOMAIN>_URL:-default}``, so
the same contract points at this test's ports the way it points a consumer at any deployment.

Two rules read a second product (custom property ``inputs``: ``"schedule.bouts.v1"``, ``"results.bout-results.v1"``
as tables). The CLI cannot run them: an ``api`` server yields one table per schema object of the contract, and the
CLI has no option to load another contract's server as a further table. datacontract-cli's Python API can: the
caller hands it a DuckDB connection (``DataContract(duckdb_connection=...)``), to which the test first adds each input
product as a table read from that product's own analytical port (Parquet, same token), and then the library runs
those rules against the product's snapshot like the CLI does - so every rule of every contract runs here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from mesh_platform.contracts import default_contracts_dir
from mesh_tools.launcher.topology import env_name

pytestmark = pytest.mark.e2e

CONTRACTS = sorted(default_contracts_dir().glob("*/*.odcs.yaml"))
DATACONTRACT = Path(sys.executable).parent / "datacontract"
INPUTS = "inputs"  # custom property of a quality rule that reads other products (the platform's cross-product job)


def analytical_server(document: dict) -> str:
    return next(s["server"] for s in document["servers"] if s.get("id") == "analytical")


def quality_rules(document: dict) -> list[dict]:
    rules: list[dict] = []

    def walk(node: dict) -> None:
        rules.extend(node.get("quality") or [])
        for child in node.get("properties") or []:
            walk(child)
        if node.get("items"):
            walk(node["items"])

    for schema_object in document["schema"]:
        walk(schema_object)
    return rules


def reads_other_products(rule: dict) -> bool:
    return any(p.get("property") == INPUTS for p in rule.get("customProperties") or [])


def fresh_records(mesh) -> None:
    """A new fighter pair, card, bout and result, and stats derived from them: every product has fresh records
    (the contracts' freshness SLOs are checked on the snapshot's change timestamps)."""
    roster, schedule, results, stats = (mesh.urls[name] for name in ("roster", "schedule", "results", "stats"))
    fighter = {"nickname": None, "date_of_birth": "1993-03-03", "nationality": "IE", "weight_class": "lightweight",
               "stance": "southpaw", "height_cm": 178, "reach_cm": 183}
    red = mesh.post(f"{roster}/fighters", json={**fighter, "name": "Ciaran Red"}, timeout=30).json()["fighter_id"]
    blue = mesh.post(f"{roster}/fighters", json={**fighter, "name": "Declan Blue"}, timeout=30).json()["fighter_id"]
    card = mesh.post(f"{schedule}/cards", json={"name": f"Octagon Dublin {uuid.uuid4().hex[:8]}", "date": "2024-03-09",
                                                 "venue": "3Arena", "city": "Dublin", "country": "IE"}, timeout=30)
    assert card.status_code == 201, card.text
    bout = mesh.post(f"{schedule}/cards/{card.json()['card_id']}/bouts", json={
        "red_fighter_id": red, "blue_fighter_id": blue, "weight_class": "lightweight", "order_on_card": 1}, timeout=30)
    assert bout.status_code == 201, bout.text
    result = mesh.post(f"{results}/bouts/{bout.json()['bout_id']}/result", json={
        "outcome": "win", "winner_fighter_id": red, "method": "SUB", "round": 1, "time": "2:41"}, timeout=30)
    assert result.status_code == 201, result.text
    token = mesh.tokens["demo-reader"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        record = httpx.get(f"{stats}/data-products/fighter-records/v1/{red}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if record.status_code == 200 and record.json()["wins"] >= 1:
            return
        time.sleep(0.3)
    pytest.fail("stats did not derive the new result within 60 s")


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda path: f"{path.parent.name}/{path.name.split('.')[0]}")
def test_datacontract_test_passes_against_the_products_analytical_port(mesh, contract):
    document = yaml.safe_load(contract.read_text())
    server = analytical_server(document)
    fresh_records(mesh)
    token = mesh.tokens["demo-reader"]
    environ = {**os.environ, "DATACONTRACT_API_HEADER_AUTHORIZATION": f"Bearer {token}",
               **{f"{env_name(name)}_URL": url for name, url in mesh.urls.items()}}
    location = next(s["location"] for s in document["servers"] if s.get("id") == "analytical")
    snapshot_url = mesh.urls[document["domain"]] + location[location.index("/analytical/"):]
    snapshot = httpx.get(snapshot_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert snapshot.status_code == 200 and int(snapshot.headers["X-Row-Count"]) > 0, snapshot.text[:500]

    rules = quality_rules(document)
    if any(reads_other_products(rule) for rule in rules):
        # Rules over several products (tables named after the other products) run in the platform's cross-product
        # job, not in a one-product test: every other check and rule runs here.
        own = ",".join(rule["id"] for rule in rules if not reads_other_products(rule))
        runs = [["--checks", "properties,slaProperties,custom"], ["--quality-id", own]]
    else:
        runs = [[]]
    for options in runs:
        completed = subprocess.run([str(DATACONTRACT), "test", "--server", server, *options, str(contract)],
                                   env=environ, capture_output=True, text=True, timeout=300)
        assert completed.returncode == 0, f"{' '.join(options)}\n{completed.stdout[-4000:]}{completed.stderr[-2000:]}"
        assert "Data contract is valid" in completed.stdout


CROSS_PRODUCT = [path for path in CONTRACTS
                 if any(reads_other_products(rule) for rule in quality_rules(yaml.safe_load(path.read_text())))]


def input_products(rules: list[dict]) -> set[str]:
    return {name for rule in rules for p in rule.get("customProperties") or [] if p.get("property") == INPUTS
            for name in p["value"]}


def load_input_products(mesh, names: set[str], token: str, directory: Path):
    """A DuckDB connection holding each named product (``<domain>.<product>.v<major>``) as a table of that name,
    read from the product's analytical port as Parquet."""
    import duckdb

    connection = duckdb.connect(database=":memory:")
    for name in sorted(names):
        domain, product, major = name.split(".")
        response = httpx.get(f"{mesh.urls[domain]}/analytical/{product}/{major}.parquet",
                             headers={"Authorization": f"Bearer {token}"}, timeout=120)
        assert response.status_code == 200, response.text[:500]
        path = directory / f"{name}.parquet"
        path.write_bytes(response.content)
        connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(path)])
    return connection


@pytest.mark.parametrize("contract", CROSS_PRODUCT, ids=lambda path: f"{path.parent.name}/{path.name.split('.')[0]}")
def test_cross_product_rules_pass_with_their_input_products_loaded_beside_the_snapshot(
    mesh, contract, monkeypatch, tmp_path
):
    from datacontract.data_contract import DataContract

    document = yaml.safe_load(contract.read_text())
    cross = [rule for rule in quality_rules(document) if reads_other_products(rule)]
    fresh_records(mesh)
    token = mesh.tokens["demo-reader"]
    monkeypatch.setenv("DATACONTRACT_API_HEADER_AUTHORIZATION", f"Bearer {token}")
    for name, url in mesh.urls.items():
        monkeypatch.setenv(f"{env_name(name)}_URL", url)
    # Products are derived from each other's events: a moment after the last write they agree. Both sides are read
    # afresh on each try, so a rule that never holds fails.
    deadline = time.monotonic() + 60
    while True:
        connection = load_input_products(mesh, input_products(cross), token, tmp_path)
        run = DataContract(data_contract_file=str(contract), server=analytical_server(document),
                           duckdb_connection=connection, quality_ids={rule["id"] for rule in cross}).test()
        checked = [check for check in run.checks if check.category == "quality"]
        if run.has_passed() or time.monotonic() > deadline:
            break
        time.sleep(2)
    report = "\n".join(f"{c.result} {c.name}: {c.reason}" for c in run.checks if c.result != "passed")
    assert run.has_passed(), report + "\n" + "\n".join(entry.message for entry in run.logs[-20:])
    # Each cross-product rule ran (none skipped for a missing table) and passed.
    assert len(checked) >= len(cross), [check.name for check in run.checks]
