"""`datacontract test` (datacontract-cli with duckdb) passes against every product of the running mesh.

Each contract lists the product's analytical port as its server with id ``analytical`` (``type: api``): the CLI
fetches the whole-product NDJSON snapshot with the token in ``DATACONTRACT_API_HEADER_AUTHORIZATION`` and runs every
schema, quality and service-level check of the contract on it. The location reads ``${<DOMAIN>_URL:-default}``, so
the same contract points at this test's ports the way it points a consumer at any deployment.
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
from mesh_platform.launcher.topology import env_name

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
