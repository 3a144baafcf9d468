"""Starts service processes (uvicorn), waits until they are ready, and stops them all — no orphans."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mesh_platform.launcher.topology import ServiceSpec


class LaunchError(Exception):
    """A service could not start; the message says which and why (with its log tail)."""


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file (empty if it does not exist)."""
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class ServiceProcess:
    spec: ServiceSpec
    process: subprocess.Popen
    log_path: Path


@dataclass
class Supervisor:
    """Owns the service processes of one ``mesh up``."""

    run_dir: Path
    processes: list[ServiceProcess] = field(default_factory=list)

    def start(self, spec: ServiceSpec, environ: dict[str, str]) -> ServiceProcess:
        """Start ``spec`` as ``uvicorn --factory`` in its own process group, logging to the run directory."""
        if port_in_use(spec.host, spec.port):
            raise LaunchError(
                f"port {spec.port} for {spec.name} is already in use; set {spec.port_variable} to use another port"
            )
        log_dir = self.run_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{spec.name}.log"
        command = [
            sys.executable, "-m", "uvicorn", spec.factory, "--factory",
            "--host", spec.host, "--port", str(spec.port), "--log-level", "warning", "--no-access-log",
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, env=environ, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        started = ServiceProcess(spec, process, log_path)
        self.processes.append(started)
        return started

    def wait_ready(self, started: ServiceProcess, timeout: float = 90.0) -> float:
        """Block until ``/ready`` answers 200; return the seconds it took. Raises :class:`LaunchError`."""
        began = time.monotonic()
        deadline = began + timeout
        last = "no answer yet"
        with httpx.Client(timeout=3.0) as client:
            while time.monotonic() < deadline:
                if started.process.poll() is not None:
                    raise LaunchError(
                        f"{started.spec.name} exited with code {started.process.returncode}; "
                        f"last lines of {started.log_path}:\n{log_tail(started.log_path)}"
                    )
                try:
                    response = client.get(f"{started.spec.url}/ready")
                    if response.status_code == 200:
                        return time.monotonic() - began
                    last = response.text[:300]
                except httpx.HTTPError as e:
                    last = str(e)
                time.sleep(0.2)
        raise LaunchError(
            f"{started.spec.name} was not ready after {timeout:.0f}s ({last}); "
            f"last lines of {started.log_path}:\n{log_tail(started.log_path)}"
        )

    def stop_all(self, timeout: float = 15.0) -> None:
        """SIGTERM every process group (newest first), then SIGKILL what is left after ``timeout``."""
        for started in reversed(self.processes):
            _signal_group(started.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for started in reversed(self.processes):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                started.process.wait(remaining)
            except subprocess.TimeoutExpired:
                _signal_group(started.process, signal.SIGKILL)
                started.process.wait(5)
        self.processes.clear()

    def failed(self) -> ServiceProcess | None:
        """A process that exited on its own, if any."""
        return next((started for started in self.processes if started.process.poll() is not None), None)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
