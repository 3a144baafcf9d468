"""``mesh up --no-demo`` as a user runs it, in a process of its own on free ports, for the fault tests that crash
parts of it; and the operator's commands that show events flowing from roster to schedule."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mesh_tools.launcher.supervisor import read_state
from mesh_tools.launcher.topology import discover_services, env_name
from mesh_tools.testing.ports import free_port

READY_TIMEOUT = 300.0
MESH = str(Path(sys.executable).parent / "mesh")


def mesh_environment(run_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a mesh on free ports with its run directory at ``run_dir`` (no outside broker)."""
    environ = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    taken: set[int] = set()

    def port() -> int:
        while (chosen := free_port()) in taken:
            pass
        taken.add(chosen)
        return chosen

    for spec in discover_services(environ):
        environ[f"{env_name(spec.name)}_PORT"] = str(port())
    environ.update(KAFKA_PORT=str(port()), KAFKA_CONTROLLER_PORT=str(port()), MESH_RUN_DIR=str(run_dir),
                   KAFKA_HEAP="384m", MESH_CATALOG_ENABLED="true", COLUMNS="400", TERM="dumb", **extra)
    return environ


@dataclass
class MeshUp:
    """One ``mesh up --no-demo`` process and everything it printed."""

    environ: dict[str, str]
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)

    @property
    def run_dir(self) -> Path:
        return Path(self.environ["MESH_RUN_DIR"])

    @property
    def urls(self) -> dict[str, str]:
        return {spec.name: spec.url for spec in discover_services(self.environ)}

    def start(self) -> float:
        """Start ``mesh up`` and return the seconds until it said it is ready (the test fails if it never does)."""
        began = time.monotonic()
        self.output = []
        self.process = subprocess.Popen([MESH, "up", "--no-demo"], env=self.environ, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        stream = self.process.stdout
        threading.Thread(target=lambda: self.output.extend(iter(stream.readline, "")), daemon=True).start()
        self.wait_for_line("press Ctrl-C", READY_TIMEOUT)
        return time.monotonic() - began

    def wait_for_line(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in list(self.output) if text in line]
            if found:
                return found[0]
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mesh up never printed {text!r}:\n" + "".join(self.output[-60:]))
            time.sleep(0.3)

    def state(self) -> dict[str, dict]:
        return read_state(self.run_dir)

    def crash(self) -> None:
        """Everything dies at once, as on a power cut: mesh up frozen first (so it restarts nothing and sends no
        SIGTERM), then the broker and every service SIGKILLed, then mesh up itself."""
        os.kill(self.process.pid, signal.SIGSTOP)
        kafka_pid = int((self.run_dir / "kafka" / "kafka.pid").read_text())
        service_pids = [entry["pid"] for name, entry in self.state().items() if not name.startswith("kafka")]
        for pid in [kafka_pid, *service_pids, self.process.pid]:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()

    def stop(self) -> None:
        """Ctrl-C, as a user stops it (SIGKILL if it does not end within two minutes)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGCONT)
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Operator:
    """Commands as the demo operator; a command is repeated with its Idempotency-Key until accepted or timed out
    (a service or the broker restarting, or an event not arrived yet)."""

    def __init__(self, mesh: MeshUp) -> None:
        from mesh_tools.cli.demo_clients import credentials_of

        self.urls = mesh.urls
        self.auth = credentials_of(mesh.run_dir, "demo-operator", self.urls["catalog"])
        self.reader = credentials_of(mesh.run_dir, "demo-reader", self.urls["catalog"])
        for credentials in (self.auth, self.reader):
            credentials.timeout = 30.0  # the token endpoint of a catalog busy catching up on a loaded machine
        self.client = httpx.Client(timeout=30)

    def command(self, domain: str, path: str, body: dict, timeout: float = 120.0) -> dict:
        key = str(uuid.uuid4())
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = self.client.post(f"{self.urls[domain]}{path}", json=body, auth=self.auth,
                                            headers={"Idempotency-Key": key})
                if response.status_code in (200, 201):
                    return response.json()
                last = f"{response.status_code} {response.text[:300]}"
            except httpx.HTTPError as e:
                last = f"{type(e).__name__}: {e}"
            if time.monotonic() > deadline:
                pytest.fail(f"POST {domain}{path} never accepted within {timeout:.0f}s: {last}")
            time.sleep(0.5)

    def register_fighter(self, name: str) -> str:
        return self.command("roster", "/fighters", {
            "name": name, "nickname": None, "date_of_birth": "1990-01-01", "nationality": "US",
            "weight_class": "welterweight", "stance": "orthodox", "height_cm": 180, "reach_cm": 185})["fighter_id"]

    def book_bout(self, red: str, blue: str, timeout: float = 120.0) -> str:
        """A card with one bout of ``red`` and ``blue`` (schedule knows them from roster's events, or asks roster)."""
        card = self.command("schedule", "/cards", {"name": f"Card {uuid.uuid4().hex[:8]}", "date": "2001-02-03",
                                                   "venue": "Test Arena", "city": "Las Vegas", "country": "US"})
        return self.command("schedule", f"/cards/{card['card_id']}/bouts", {
            "red_fighter_id": red, "blue_fighter_id": blue, "weight_class": "welterweight", "order_on_card": 1},
            timeout=timeout)["bout_id"]

    def read(self, url: str, auth: httpx.Auth | None = None, timeout: float = 180.0, **params) -> httpx.Response:
        """GET ``url`` as the demo reader (or ``auth``), tried again while the connection fails (a busy machine)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.client.get(url, params=params, auth=auth or self.reader)
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def fighter(self, fighter_id: str) -> httpx.Response:
        return self.read(f"{self.urls['roster']}/data-products/fighters/v1/{fighter_id}")

    def close(self) -> None:
        self.client.close()


def replicated(run_dir: Path, fighter_ids: list[str]) -> bool:
    """Whether roster's events about ``fighter_ids`` reached both of its subscribers, schedule and stats (each keeps
    a replica of the fighters it learnt from ``roster.fighters.v1``; nothing but the events fills it)."""
    for subscriber in ("schedule", "stats"):
        store = sqlite3.connect(f"file:{run_dir / subscriber}.db?mode=ro", uri=True, timeout=10)
        try:
            marks = ",".join("?" * len(fighter_ids))
            known = {row[0] for row in store.execute(
                f"SELECT fighter_id FROM fighter_replica WHERE fighter_id IN ({marks})", fighter_ids)}
        except sqlite3.OperationalError:  # locked for a moment by the subscriber's own transaction
            return False
        finally:
            store.close()
        if known != set(fighter_ids):
            return False
    return True


def admin_kafka_settings(run_dir: Path, environ: dict[str, str]):
    from mesh_platform.kafka.client import KafkaClientSettings

    return KafkaClientSettings(
        bootstrap_servers=f"127.0.0.1:{environ['KAFKA_PORT']}", security_protocol="SASL_PLAINTEXT",
        username="admin", password=(run_dir / "kafka" / "secrets" / "admin.password").read_text().strip())


def keys_on_topic(settings, topic: str) -> list[str]:
    """The record keys on ``topic`` from its beginning to its end, as the super user reads them."""
    from kafka import KafkaConsumer, TopicPartition

    from mesh_platform.kafka.client import kafka_client_kwargs

    consumer = KafkaConsumer(**kafka_client_kwargs(settings), group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        keys: list[str] = []
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < ends[tp] for tp in partitions) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=1000).values():
                keys += [record.key.decode() for record in batch]
        return keys
    finally:
        consumer.close()


def dump(path: Path) -> str:
    try:
        return json.dumps(json.loads(path.read_text()), indent=1)
    except (OSError, ValueError):
        return "(unreadable)"
