"""Run as a user runs it: a crashed domain comes back by itself while the others serve, `mesh status` tells, and
`mesh dlq` shows what a subscriber parked and why."""

from __future__ import annotations

import json
import os
import re
import signal
import time
import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f}s")
        time.sleep(0.3)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def supervised(mesh) -> dict:
    return json.loads((mesh.run_dir / "services.json").read_text())


def test_a_killed_domain_is_restarted_while_the_others_keep_serving_and_mesh_status_shows_it(mesh):
    before = supervised(mesh)["roster"]
    os.killpg(before["pid"], signal.SIGKILL)
    assert answers(f"{mesh.urls['schedule']}/health")  # the others never stopped

    wait_until(lambda: supervised(mesh)["roster"]["restarts"] == before["restarts"] + 1, 60, "roster restarted")
    wait_until(lambda: answers(f"{mesh.urls['roster']}/ready"), 120, "roster ready again")
    after = supervised(mesh)["roster"]
    assert after["pid"] != before["pid"] and after["last_exit"] == -signal.SIGKILL
    output = "".join(mesh.output)
    assert "roster stopped unexpectedly (exit code -9)" in output and "roster restarted (restart #" in output
    assert mesh.process.poll() is None  # mesh up itself carries on

    status = mesh.cli("status", "--run-dir", str(mesh.run_dir))
    roster_row = next(line for line in status.stdout.splitlines() if re.search(r"\broster\b", line))
    assert re.search(rf"\byes\b.*\byes\b.*\b{after['restarts']}\b", roster_row), status.stdout


def test_mesh_dlq_lists_and_shows_a_parked_event_and_redrive_keeps_what_still_fails(mesh):
    forged_id = str(uuid.uuid4())
    mesh.forge_fighter_event(forged_id, "Forged by dlq test", key=b"bad")
    run_dir = ["--run-dir", str(mesh.run_dir)]

    wait_until(lambda: locate(mesh, forged_id) is not None, 60, "the forged event parked by schedule")
    where = locate(mesh, forged_id)
    listed = mesh.cli("dlq", "list", "schedule", *run_dir)
    assert listed.returncode == 0 and where in listed.stdout and "contract violation" in listed.stdout, listed.stdout
    parked = json.loads(mesh.cli("dlq", "show", "schedule", where, *run_dir).stdout)
    assert parked["event_id"] == forged_id and parked["data"]["name"] == "Forged by dlq test"
    assert parked["reason"].startswith("contract violation: ") and parked["source"]["topic"] == "roster.fighters.v1"

    redrive = mesh.cli("dlq", "redrive", "schedule", *run_dir)
    assert redrive.returncode == 1  # no fix makes a forged event valid: it stays parked, with its reason
    assert "still failing" in redrive.stdout and forged_id in redrive.stdout


def locate(mesh, event_id: str) -> str | None:
    """partition/offset of a parked event, from the admin API the CLI uses (None while it is not parked)."""
    token = mesh.credentials("demo-operator").token()
    items = httpx.get(f"{mesh.urls['schedule']}/admin/dead-letters/schedule",
                      headers={"Authorization": f"Bearer {token}"}, timeout=60).json()["items"]
    found = next((item for item in items if item["event_id"] == event_id), None)
    return None if found is None else f"{found['partition']}/{found['offset']}"
