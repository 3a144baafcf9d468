"""Starts service processes (uvicorn), waits until they are ready, restarts those that crash, stops them all.

Domains are independent: one crashing must not take the mesh down, so a crashed service is restarted with
exponential back-off while the others keep serving; so is a broker node that died (see
:mod:`~mesh_tools.launcher.broker_supervisor`). Each restart is recorded in ``services.json`` in the run
directory, which ``mesh status`` reads. One ``mesh up`` owns a run directory at a time (``mesh-up.lock``); the next
one ends the services a killed predecessor left behind.
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from mesh_tools.child_processes import OwnerLock, die_with_parent, end_leftover, signal_group
from mesh_tools.launcher.broker_supervisor import BrokerSupervisor
from mesh_tools.launcher.topology import ServiceSpec

log = logging.getLogger(__name__)

LOG_CONFIG = Path(__file__).with_name("service-logging.json")

STATE_FILE = "services.json"
"""The supervisor's record of its processes in the run directory (pid, restarts, last exit)."""
LOCK_FILE = "mesh-up.lock"
"""Held (``flock``) by the ``mesh up`` that owns the run directory, released by the kernel however it ends."""


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
    """One supervised service: its current process and its restart history."""

    spec: ServiceSpec
    process: subprocess.Popen[bytes]
    log_path: Path
    environ: dict[str, str] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic)
    restarts: int = 0
    last_exit: int | None = None
    restart_due: float | None = None  # when a crashed process is to be started again

    @property
    def running(self) -> bool:
        """Whether its process is alive."""
        return self.process.poll() is None


@dataclass
class Supervisor:
    """Owns the service processes of one ``mesh up``."""

    run_dir: Path
    processes: list[ServiceProcess] = field(default_factory=list)
    min_backoff: float = 1.0
    max_backoff: float = 30.0
    stable_after: float = 60.0  # a process up this long has its back-off reset
    brokers: BrokerSupervisor | None = None  # the local broker nodes, restarted like services

    def start(self, spec: ServiceSpec, environ: dict[str, str]) -> ServiceProcess:
        """Start ``spec`` as ``uvicorn --factory`` in its own process group, logging to the run directory."""
        if port_in_use(spec.host, spec.port):
            raise LaunchError(
                f"port {spec.port} for {spec.name} is already in use; set {spec.port_variable} to use another port"
            )
        log_dir = self.run_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{spec.process_name}.log"
        started = ServiceProcess(spec, _spawn(spec, environ, log_path), log_path, environ=dict(environ))
        self.processes.append(started)
        self.write_state()
        return started

    def supervise(self, now: float | None = None) -> list[str]:
        """Restart crashed services with exponential back-off; return what happened, one line per event.

        Call it periodically. A crash is noticed, the restart scheduled after the back-off (doubling per
        consecutive crash, reset once a process stayed up ``stable_after`` seconds), then performed.
        """
        now = time.monotonic() if now is None else now
        happened = []
        for started in self.processes:
            if started.running or started.restart_due is not None and now < started.restart_due:
                continue
            if started.restart_due is None:  # just noticed the crash
                started.last_exit = started.process.returncode
                quick_crashes = 0 if now - started.started_at >= self.stable_after else started.restarts
                delay = min(self.max_backoff, self.min_backoff * 2**quick_crashes)
                started.restart_due = now + delay
                happened.append(
                    f"{started.spec.process_name} stopped unexpectedly (exit code {started.last_exit}); "
                    f"restarting in {delay:.0f}s — see {started.log_path}"
                )
                log.warning(happened[-1])
                continue
            if port_in_use(started.spec.host, started.spec.port):  # its old socket is not released yet
                started.restart_due = now + self.min_backoff
                continue
            started.process = _spawn(started.spec, started.environ, started.log_path)
            started.started_at, started.restart_due = now, None
            started.restarts += 1
            happened.append(f"{started.spec.process_name} restarted (restart #{started.restarts})")
            log.warning(happened[-1])
        if self.brokers is not None:
            happened += self.brokers.supervise(now)
        if happened:
            self.write_state()
        return happened

    def write_state(self) -> None:
        """Record every process's pid, restarts and last exit code in ``services.json`` (for ``mesh status``)."""
        state = {
            started.spec.process_name: {
                "pid": started.process.pid,
                "url": started.spec.url,
                "running": started.running,
                "restarts": started.restarts,
                "last_exit": started.last_exit,
            }
            for started in self.processes
        }
        if self.brokers is not None:
            state.update(self.brokers.state())
        path = self.run_dir / STATE_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2))
        temporary.replace(path)  # readers never see a half-written file

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
            signal_group(started.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for started in reversed(self.processes):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                started.process.wait(remaining)
            except subprocess.TimeoutExpired:
                signal_group(started.process, signal.SIGKILL)
                started.process.wait(5)
        self.processes.clear()



def claim_run_dir(run_dir: Path) -> OwnerLock:
    """Make this process the one ``mesh up`` of ``run_dir``; end the services a killed predecessor left.

    Raises :class:`LaunchError` when another ``mesh up`` runs there. After a ``kill -9`` of ``mesh up`` its services
    got a SIGTERM (``die_with_parent``) but may still be shutting down on their ports, and ``services.json`` still
    names them: each pid that is still the service it was (same host and port on its command line) is stopped, and
    the stale record goes. Hold the returned lock until the mesh is stopped.
    """
    lock = OwnerLock(run_dir / LOCK_FILE)
    if not lock.acquire():
        raise LaunchError(f"another mesh up (pid {lock.holder()}) runs with {run_dir}; stop it first")
    for name, entry in read_state(run_dir).items():
        host_port = urlsplit(str(entry.get("url", ""))).netloc.rpartition(":")
        if not isinstance(entry.get("pid"), int) or not host_port[0]:
            continue  # a broker node (its own pid file is checked when it starts) or an unreadable entry
        if end_leftover(entry["pid"], recognised_by=f"--host {host_port[0]} --port {host_port[2]}", timeout=15):
            log.warning("stopped %s (pid %s), left running by a mesh up that ended", name, entry["pid"])
    (run_dir / STATE_FILE).unlink(missing_ok=True)
    return lock


def read_state(run_dir: Path) -> dict[str, dict[str, Any]]:
    """What the supervisor of a running ``mesh up`` recorded (empty when none runs there)."""
    try:
        state: dict[str, dict[str, Any]] = json.loads((run_dir / STATE_FILE).read_text())
        return state
    except (OSError, ValueError):
        return {}


def _spawn(spec: ServiceSpec, environ: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``spec`` as ``uvicorn --factory`` in its own process group, appending to its log."""
    command = [
        sys.executable, "-m", "uvicorn", spec.factory, "--factory", "--host", spec.host, "--port", str(spec.port),
        # Timestamped INFO lines from the services' own loggers (a failing subscription says why), no access log.
        "--log-config", str(LOG_CONFIG), "--no-access-log",
    ]
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            command, env=environ, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent(),
        )
