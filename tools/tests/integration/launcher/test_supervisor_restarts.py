"""One crashed service does not take the mesh down: it is restarted with back-off while the others keep serving."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from mesh_tools.launcher.supervisor import Supervisor, read_state
from mesh_tools.launcher.topology import ServiceSpec
from mesh_tools.testing.ports import free_port

TINY_SERVICE = '''
import os
from fastapi import FastAPI

def create_app():
    app = FastAPI()

    @app.get("/ready")
    def ready():
        return {"pid": os.getpid()}

    return app
'''


@pytest.fixture
def supervisor(tmp_path: Path):
    (tmp_path / "tiny_service.py").write_text(TINY_SERVICE)
    supervisor = Supervisor(tmp_path / "run", min_backoff=0.2, max_backoff=1.0)
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    for name in ("alpha", "beta"):
        spec = ServiceSpec(name, "tiny_service:create_app", "127.0.0.1", free_port(), None)
        supervisor.wait_ready(supervisor.start(spec, environ))
    yield supervisor
    supervisor.stop_all()


def pid_answering(url: str) -> int:
    return httpx.get(f"{url}/ready", timeout=2).json()["pid"]


def supervise_until(supervisor: Supervisor, condition, timeout: float = 30.0) -> list[str]:
    happened: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        happened += supervisor.supervise()
        time.sleep(0.1)
    assert condition(), f"not reached; supervisor said {happened}"
    return happened


def test_a_killed_service_is_restarted_while_the_others_keep_serving(supervisor):
    alpha, beta = supervisor.processes
    beta_pid = pid_answering(beta.spec.url)
    os.killpg(alpha.process.pid, signal.SIGKILL)

    def alpha_serves_again() -> bool:
        try:
            return pid_answering(alpha.spec.url) == alpha.process.pid
        except httpx.HTTPError:
            return False

    happened = supervise_until(supervisor, lambda: alpha.restarts == 1 and alpha_serves_again())
    assert any("alpha stopped unexpectedly (exit code -9)" in line for line in happened)
    assert "alpha restarted (restart #1)" in happened
    assert pid_answering(beta.spec.url) == beta_pid  # never touched
    state = read_state(supervisor.run_dir)
    assert state["alpha"]["restarts"] == 1 and state["alpha"]["last_exit"] == -9 and state["alpha"]["running"]
    assert state["beta"]["restarts"] == 0
    assert json.loads((supervisor.run_dir / "services.json").read_text()) == state


def test_repeated_crashes_back_off_longer_each_time(supervisor):
    alpha = supervisor.processes[0]
    delays = []
    for expected_restarts in (1, 2):
        os.killpg(alpha.process.pid, signal.SIGKILL)
        alpha.process.wait(5)
        supervisor.supervise()
        delays.append(alpha.restart_due - time.monotonic())
        supervise_until(supervisor, lambda n=expected_restarts: alpha.restarts == n and alpha.running)
        supervisor.wait_ready(alpha)
    assert delays[1] > delays[0]


PARENT = '''
import os, sys, time
from pathlib import Path
from mesh_tools.launcher.supervisor import Supervisor
from mesh_tools.launcher.topology import ServiceSpec
supervisor = Supervisor(Path(sys.argv[1]))
spec = ServiceSpec("orphan", "tiny_service:create_app", "127.0.0.1", int(sys.argv[2]), None)
supervisor.wait_ready(supervisor.start(spec, dict(os.environ)))
print(supervisor.processes[0].process.pid, flush=True)
time.sleep(600)
'''


def test_services_do_not_outlive_a_killed_supervisor(tmp_path: Path):
    import subprocess

    from mesh_tools.launcher.supervisor import port_in_use

    (tmp_path / "tiny_service.py").write_text(TINY_SERVICE)
    port = free_port()
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "run"), str(port)], env=environ,
                              stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert port_in_use("127.0.0.1", port)
    parent.kill()  # as a kill -9 of mesh up would
    parent.wait()
    deadline = time.monotonic() + 20
    while port_in_use("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not port_in_use("127.0.0.1", port), "the service outlived mesh up and still holds its port"
    # It closes its port as it shuts down, a moment before its process is gone (longer on a busy machine).
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(child), "the service outlived mesh up"


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for a reaper does not: it has exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_the_next_mesh_up_stops_the_services_a_killed_one_left_and_drops_its_stale_record(supervisor):
    from mesh_tools.launcher.supervisor import LaunchError, claim_run_dir, port_in_use

    # As after a kill -9 of mesh up: its services still run (shutting down slowly, or never told) and
    # services.json names them; the lock of the dead mesh up is gone with it.
    leftovers = [(started.process.pid, started.spec.port) for started in supervisor.processes]
    lock = claim_run_dir(supervisor.run_dir)
    try:
        for pid, port in leftovers:
            assert not alive(pid) and not port_in_use("127.0.0.1", port)
        assert read_state(supervisor.run_dir) == {}
        with pytest.raises(LaunchError, match="another mesh up"):
            claim_run_dir(supervisor.run_dir)  # while one runs there, a second refuses
    finally:
        lock.release()


def test_a_stale_pid_that_now_names_another_program_is_left_alone(tmp_path: Path):
    import subprocess

    from mesh_tools.launcher.supervisor import claim_run_dir

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        (run_dir / "services.json").write_text(json.dumps(
            {"roster": {"pid": bystander.pid, "url": "http://127.0.0.1:8001", "running": True, "restarts": 0}}))
        claim_run_dir(run_dir).release()
        assert bystander.poll() is None
        assert not (run_dir / "services.json").exists()
    finally:
        bystander.kill()
        bystander.wait()
