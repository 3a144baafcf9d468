"""``mesh up`` keeps its broker alive and gets over an unclean stop by itself.

A broker killed under a running ``mesh up`` is restarted on its data with back-off, shown in ``mesh status``; and
after everything died at once (broker, services and ``mesh up`` SIGKILLed: stale pid files, ``services.json``, the
log directory's ``.lock``, half-written last batches and cut indexes in the broker's storage) the next ``mesh up``
becomes ready with nobody's help, still serves what was there, and new commands flow to the subscribers again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from .conftest import wait_until
from .mesh_run import (
    MESH,
    MeshUp,
    Operator,
    admin_kafka_settings,
    dump,
    keys_on_topic,
    mesh_environment,
    replicated,
)

FIGHTERS_TOPIC = "roster.fighters.v1"


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    mesh = MeshUp(mesh_environment(tmp_path_factory.mktemp("unclean") / "run"))
    took = mesh.start()
    print(f"\nmesh up ready in {took:.0f}s")
    try:
        yield mesh
    finally:
        mesh.stop()


def test_a_broker_killed_under_mesh_up_is_restarted_and_events_flow_again(mesh):
    operator = Operator(mesh)
    try:
        red, blue = operator.register_fighter("Before Crash Red"), operator.register_fighter("Before Crash Blue")
        wait_until(lambda: replicated(mesh.run_dir, [red, blue]), 120, "roster's events reached schedule and stats")

        killed_at = time.monotonic()
        os.killpg(int((mesh.run_dir / "kafka" / "kafka.pid").read_text()), signal.SIGKILL)
        mesh.wait_for_line("kafka restarted on its data (restart #1)", 60)
        assert any("stopped unexpectedly (exit code -9)" in line for line in mesh.output)
        state = mesh.state()["kafka"]
        assert state["restarts"] == 1 and state["last_exit"] == -9 and state["running"], dump(mesh.run_dir / "services.json")

        # Commands accepted meanwhile wait in the outbox; the new fighters reach the subscribers once it is back.
        red, blue = operator.register_fighter("After Restart Red"), operator.register_fighter("After Restart Blue")
        wait_until(lambda: replicated(mesh.run_dir, [red, blue]), 120, "roster's new events reached schedule and stats")
        operator.book_bout(red, blue)
        print(f"\nbroker back and events flowing {time.monotonic() - killed_at:.0f}s after the kill")

        status = subprocess.run([MESH, "status"], env=mesh.environ, capture_output=True, text=True, timeout=60)
        rows = [[cell.strip() for cell in line.replace("|", "│").replace("┃", "│").split("│")] for line in status.stdout.splitlines()]
        header = next(row for row in rows if "restarts" in row)
        kafka = next(row for row in rows if "kafka" in row)
        assert kafka[header.index("restarts")] == "1", status.stdout
    finally:
        operator.close()


def damage_like_a_crash(log_dir: Path) -> list[str]:
    """What a crash in the middle of writing leaves: the last segment of every partition (and of the metadata log)
    ending in half a record batch, its offset and time indexes cut short, and the directory's ``.lock`` file."""
    damaged = []
    for partition in sorted(path for path in log_dir.iterdir() if path.is_dir()):
        segments = sorted(partition.glob("*.log"))
        if not segments:
            continue
        with segments[-1].open("ab") as segment:
            # A batch header announcing 5 bytes more than follow it: base offset, length, then half the header.
            segment.write(b"\x00" * 8 + b"\x00\x00\x10\x00" + os.urandom(21))
        for index in [*partition.glob("*.index"), *partition.glob("*.timeindex")]:
            with index.open("r+b") as file:
                file.truncate(index.stat().st_size // 2 + 3)  # not a whole number of entries
        damaged.append(partition.name)
    (log_dir / ".lock").touch()
    return damaged


def test_after_everything_was_killed_mesh_up_recovers_by_itself_and_serves_what_was_there(mesh):
    operator = Operator(mesh)
    try:
        earlier = [operator.register_fighter(f"Survivor {n}") for n in range(6)]
        wait_until(lambda: replicated(mesh.run_dir, earlier), 120, "roster's events reached schedule and stats")
    finally:
        operator.close()
    admin = admin_kafka_settings(mesh.run_dir, mesh.environ)
    keys_before = keys_on_topic(admin, FIGHTERS_TOPIC)
    assert set(earlier) <= set(keys_before)

    mesh.crash()
    stale = [name for name in ("services.json", "mesh-up.lock", "kafka/kafka.pid") if (mesh.run_dir / name).exists()]
    assert stale == ["services.json", "mesh-up.lock", "kafka/kafka.pid"]  # what the dead run left behind
    damaged = damage_like_a_crash(mesh.run_dir / "kafka" / "kraft-combined-logs")
    assert FIGHTERS_TOPIC + "-0" in damaged and "__cluster_metadata-0" in damaged

    took = mesh.start()
    print(f"\nmesh up ready again in {took:.0f}s after the crash; damaged: {len(damaged)} partitions")
    assert all(entry["restarts"] == 0 for entry in mesh.state().values())  # a fresh record, not the dead run's

    operator = Operator(mesh)
    try:
        for fighter_id in earlier:  # the domains' stores kept their data
            assert operator.fighter(fighter_id).status_code == 200
        keys_after = keys_on_topic(admin, FIGHTERS_TOPIC)
        assert not Counter(keys_before) - Counter(keys_after)  # every acknowledged event is still on the topic
        red, blue = operator.register_fighter("Recovered Red"), operator.register_fighter("Recovered Blue")
        wait_until(lambda: replicated(mesh.run_dir, [red, blue]), 120, "new events reached schedule and stats")
        assert {red, blue} <= set(keys_on_topic(admin, FIGHTERS_TOPIC))
        operator.book_bout(red, blue)
    finally:
        operator.close()
