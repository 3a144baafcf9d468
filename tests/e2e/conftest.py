"""The whole mesh, started as a user starts it: ``mesh up`` in its own process group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs
from mesh_tools.launcher.supervisor import port_in_use
from mesh_tools.launcher.topology import discover_services, env_name
from mesh_tools.testing.ports import free_port

READY_TIMEOUT = 240


@dataclass
class RunningMesh:
    urls: dict[str, str]
    bootstrap: str
    process: subprocess.Popen
    run_dir: Path
    environ: dict[str, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    _credentials: dict[str, object] = field(default_factory=dict)

    def credentials(self, client_id: str):
        """A demo client's token source (its secret from the run directory, tokens from the catalog)."""
        from mesh_tools.cli.demo_clients import credentials_of

        if client_id not in self._credentials:
            self._credentials[client_id] = credentials_of(self.run_dir, client_id, self.urls["catalog"])
        return self._credentials[client_id]

    @property
    def tokens(self) -> dict[str, str]:
        """A valid token of each demo client (renewed before it expires)."""
        return {client: self.credentials(client).token() for client in ("demo-reader", "demo-analyst", "demo-operator")}

    def post(self, url: str, **kwargs):
        """A command, sent as the demo operator (write:<domain> of every domain)."""
        return httpx.post(url, auth=self.credentials("demo-operator"), **kwargs)
    kafka_admin_password: str = ""

    @property
    def kafka(self) -> dict:
        """kafka-python connection arguments of the local broker's super user (SASL/SCRAM, password in the run dir)."""
        return kafka_client_kwargs(KafkaClientSettings(
            bootstrap_servers=self.bootstrap, security_protocol="SASL_PLAINTEXT", username="admin",
            password=self.kafka_admin_password))

    def forge_fighter_event(self, event_id: str, name: str, key: bytes = b"not-a-uuid") -> None:
        """Publish, as the broker's super user, a fighter event that breaks roster's contract (no valid id)."""
        from kafka import KafkaProducer

        producer = KafkaProducer(**self.kafka)
        producer.send("roster.fighters.v1", key=key, value=f'{{"fighter_id": "{key.decode()}", "name": "{name}"}}'.encode(),
                      headers=[("ce_specversion", b"1.0"), ("ce_id", event_id.encode()), ("ce_source", b"/tests/e2e"),
                               ("ce_type", b"octagon.roster.fighter.registered.v1"),
                               ("content-type", b"application/json")]).get(10)
        producer.close()

    def cli(self, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``mesh <arguments>`` against this mesh, as its user would in the same shell."""
        return subprocess.run([str(Path(sys.executable).parent / "mesh"), *arguments], env=self.environ,
                              capture_output=True, text=True, timeout=timeout)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                raise
        return self.process.returncode


def start_mesh(run_dir: Path, *, demo: bool) -> RunningMesh:
    environ = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    ports = {}
    for spec in discover_services(environ):
        ports[spec.name] = free_port()
        environ[f"{env_name(spec.name)}_PORT"] = str(ports[spec.name])
    kafka_port, controller_port = free_port(), free_port()
    environ.update(KAFKA_PORT=str(kafka_port), KAFKA_CONTROLLER_PORT=str(controller_port), MESH_RUN_DIR=str(run_dir),
                   MESH_CATALOG_ENABLED="true",
                   COLUMNS="400", TERM="dumb")
    command = [str(Path(sys.executable).parent / "mesh"), "up"]
    if not demo:
        command.append("--no-demo")
    process = subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + READY_TIMEOUT
    while not any("press Ctrl-C" in line for line in output):
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("mesh up did not become ready:\n" + "".join(output[-60:]))
        time.sleep(0.2)
    return RunningMesh(
        urls={name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
        bootstrap=f"127.0.0.1:{kafka_port}",
        process=process,
        run_dir=run_dir,
        environ=environ,
        output=output,
        ports=[*ports.values(), kafka_port, controller_port],
        kafka_admin_password=(run_dir / "kafka" / "secrets" / "admin.password").read_text().strip(),
    )


@pytest.fixture(scope="session")
def mesh(tmp_path_factory) -> RunningMesh:
    running = start_mesh(tmp_path_factory.mktemp("mesh-run"), demo=False)
    yield running
    code = running.stop()
    assert code == 0, "".join(running.output[-40:])
    leftovers = [port for port in running.ports if port_in_use("127.0.0.1", port)]
    assert leftovers == [], f"processes still listening after Ctrl-C: {leftovers}"
