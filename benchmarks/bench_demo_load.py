"""The demo load: the deterministic demo data set at scale 1 (≈ 12,000 commands) loaded through the domains' APIs
into a running mesh, from the moment it is ready (target ≤ 60 s).

``mesh up --no-demo`` starts the broker, the catalog and every domain on free ports, as a user's ``make up`` does;
once it reports the mesh ready, the demo loader (the same code ``mesh up`` runs, with the demo operator's OAuth2
client) sends the data set. The baseline is the same number of commands sent by the same loader threads to the
bare FastAPI + SQLModel route of the command-path benchmark: what any HTTP loader of that many records costs.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from rich.console import Console

from benchmarks.bench_command_path import BENCHMARKS_DIR, FIGHTER
from benchmarks.servers import served, verdict
from mesh_platform.cli.demo_clients import OPERATOR, credentials_of
from mesh_platform.launcher.topology import discover_services, env_name
from mesh_platform.testing.ports import free_port
from octagon_demo.loader import MAX_WORKERS, load_demo_data

SCALE = 1.0
TARGET_SECONDS = 60.0


def running_mesh(run_dir: Path) -> tuple[subprocess.Popen, dict[str, str], dict[str, str]]:
    """``mesh up --no-demo`` on free ports, returned once it is ready; (process, service URLs, environment)."""
    environ = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    for spec in discover_services(environ):
        environ[f"{env_name(spec.name)}_PORT"] = str(free_port())
    environ.update(KAFKA_PORT=str(free_port()), KAFKA_CONTROLLER_PORT=str(free_port()), MESH_RUN_DIR=str(run_dir))
    process = subprocess.Popen([str(Path(sys.executable).parent / "mesh"), "up", "--no-demo"], env=environ,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ready = threading.Event()
    output: list[str] = []

    def watch() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            output.append(line)
            if "press Ctrl-C" in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    if not ready.wait(300):
        stop(process)
        raise RuntimeError("mesh up did not become ready in 300 s:\n" + "".join(output[-40:]))
    return process, {spec.name: spec.url for spec in discover_services(environ)}, environ


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def bare_seconds(commands: int, run_dir: Path) -> float:
    """``commands`` fighter registrations sent by MAX_WORKERS threads to the bare command app."""
    environment = {"DATABASE_URL": f"sqlite:///{run_dir / 'bare-demo.db'}"}
    with served("bare_command_app:create_app", environment, run_dir / "bare-demo.log", cwd=BENCHMARKS_DIR) as client:
        limits = httpx.Limits(max_connections=MAX_WORKERS, max_keepalive_connections=MAX_WORKERS)
        with httpx.Client(base_url=client.base_url, limits=limits, timeout=30) as sender:
            started = time.perf_counter()
            with ThreadPoolExecutor(MAX_WORKERS) as pool:
                statuses = list(pool.map(lambda _: sender.post("/fighters", json=FIGHTER).status_code, range(commands)))
            seconds = time.perf_counter() - started
    if set(statuses) != {201}:
        raise RuntimeError(f"the bare app refused commands: {sorted(set(statuses))}")
    return seconds


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: at tiny sizes, only to show it still runs."""
    scale = 0.01 if smoke else SCALE
    with tempfile.TemporaryDirectory(prefix="bench-demo-load-") as directory:
        run_dir = Path(directory) / "run"
        process, urls, environ = running_mesh(run_dir)
        try:
            token = credentials_of(run_dir, OPERATOR, urls["catalog"]).token
            report = load_demo_data(urls, token, Console(file=io.StringIO()), scale=scale)
        finally:
            stop(process)
        commands = sum(t.created + t.replayed + t.failed for t in report.phases.values())
        failed = sum(t.failed for t in report.phases.values())
        bare = bare_seconds(commands, Path(directory))
    seconds = report.seconds
    return [
        f"| demo load at scale {scale:g} after the mesh is ready ({commands:,} commands, {failed} refused, "
        f"{MAX_WORKERS} loader threads) | {seconds:.1f} s ({commands / seconds:.0f} commands/s) | the same number of "
        f"commands to the bare FastAPI + SQLModel route: {bare:.1f} s | {seconds / bare:.2f}× | ≤ {TARGET_SECONDS:.0f} s | "
        f"{verdict(seconds <= TARGET_SECONDS)} |"
    ]


if __name__ == "__main__":
    print("\n".join(main()))
