"""`mesh up` and the demo load, as a user meets them.

Time from `mesh up --no-demo` to every service ready, with the Kafka jars cached (target ≤ 30 s). The baseline is
the bare minimum the same processes need: the broker alone, then one bare uvicorn app per service started at once,
in the same run, so the ratio shows what the mesh adds (migrations, registration, readiness).

Then, in the first mesh started, the demo load: the deterministic demo data set at scale 1 (≈ 12,000 commands)
sent through the domains' APIs from the moment the mesh is ready (target ≤ 60 s), by the demo loader ``mesh up``
runs, with the demo operator's OAuth2 client (batches where a service has a batch route). Its baseline is the same
number of commands sent one by one by as many loader threads to the bare FastAPI + SQLModel route of the
command-path benchmark: what any HTTP loader of that many records one at a time costs on this machine.
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
from mesh_tools.broker import LocalKafkaBroker
from mesh_tools.cli.demo_clients import OPERATOR, credentials_of
from mesh_tools.launcher.topology import discover_services, env_name
from mesh_tools.testing.ports import free_port
from octagon_demo.loader import BATCH_LINES, BATCHES_IN_FLIGHT, KINDS, MAX_WORKERS, load_demo_data
from octagon_demo.report import LoadReport

BARE_APP = "fastapi_bare:app"
DEMO_SCALE = 1.0
TARGET_UP_SECONDS = 30.0
TARGET_DEMO_SECONDS = 60.0


def mesh_up(run_dir: Path, demo_scale: float | None) -> tuple[float, LoadReport | None]:
    """Seconds from ``mesh up --no-demo`` to the mesh ready, and the report of the demo load (if asked for)."""
    environ = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    for spec in discover_services(environ):
        environ[f"{env_name(spec.name)}_PORT"] = str(free_port())
    environ.update(KAFKA_PORT=str(free_port()), KAFKA_CONTROLLER_PORT=str(free_port()), MESH_RUN_DIR=str(run_dir))
    started = time.perf_counter()
    process = subprocess.Popen([str(Path(sys.executable).parent / "mesh"), "up", "--no-demo"], env=environ,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ready, usable = threading.Event(), threading.Event()
    output: list[str] = []
    seconds = 0.0

    def watch() -> None:
        nonlocal seconds
        for line in process.stdout:  # type: ignore[union-attr]
            output.append(line)
            if "mesh ready" in line:
                seconds = time.perf_counter() - started
                ready.set()
            if "press Ctrl-C" in line:  # demo clients granted: the demo can be loaded
                usable.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not usable.wait(300) or not ready.is_set():
            raise RuntimeError("mesh up did not become ready in 300 s:\n" + "".join(output[-40:]))
        if demo_scale is None:
            return seconds, None
        urls = {spec.name: spec.url for spec in discover_services(environ)}
        token = credentials_of(run_dir, OPERATOR, urls["catalog"]).token
        return seconds, load_demo_data(urls, token, Console(file=io.StringIO()), scale=demo_scale)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def bare_seconds(run_dir: Path, services: int) -> float:
    (run_dir / "fastapi_bare.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/ready')\ndef ready():\n    return {}\n")
    started = time.perf_counter()
    broker = LocalKafkaBroker(run_dir / "kafka-bare", port=free_port(), controller_port=free_port())
    broker.start()
    ports = [free_port() for _ in range(services)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "uvicorn", BARE_APP, "--port", str(port), "--log-level", "warning"],
                         cwd=run_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ports
    ]
    try:
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        broker.stop()


def bare_commands_seconds(commands: int, run_dir: Path) -> float:
    """``commands`` fighter registrations sent by MAX_WORKERS threads to the bare command app."""
    environment = {"DATABASE_URL": f"sqlite:///{run_dir / 'bare-demo.db'}"}
    with served("bare_command_app:create_app", environment, run_dir / "bare-demo.log", cwd=BENCHMARKS_DIR) as client:
        limits = httpx.Limits(max_connections=MAX_WORKERS, max_keepalive_connections=MAX_WORKERS)
        with httpx.Client(base_url=client.base_url, limits=limits, timeout=30) as sender:
            started = time.perf_counter()
            with ThreadPoolExecutor(MAX_WORKERS) as pool:
                statuses = set(pool.map(lambda _: sender.post("/fighters", json=FIGHTER).status_code, range(commands)))
            seconds = time.perf_counter() - started
    if statuses != {201}:
        raise RuntimeError(f"the bare app refused commands: {sorted(statuses)}")
    return seconds


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: one attempt each and a tiny demo, only to show it still runs."""
    services = len(discover_services())
    scale = 0.01 if smoke else DEMO_SCALE
    with tempfile.TemporaryDirectory() as name:
        run_dir = Path(name)
        first, report = mesh_up(run_dir / "run0", scale)
        ups = [first] + ([] if smoke else [mesh_up(run_dir / "run1", None)[0]])
        bare = min(bare_seconds(run_dir, services) for _ in range(1 if smoke else 2))
        assert report is not None
        commands = sum(t.created + t.replayed + t.accepted + t.failed for t in report.phases.values())
        refused = sum(t.failed for t in report.phases.values())
        for problem in report.problems[:5]:  # a refused command is a bug in the generator or a service: say which
            print(f"demo load problem: {problem}", file=sys.stderr)
        bare_demo = bare_commands_seconds(commands, run_dir)
    mesh, demo = min(ups), report.seconds
    batched = ", ".join(phase for phase, kind in KINDS.items() if kind.batched) or "none"
    single = [phase for phase, kind in KINDS.items() if not kind.batched]
    singly = f"; {', '.join(single)} one by one, {MAX_WORKERS} in flight" if single else ""
    return [
        f"| `mesh up` to all {services} services ready (jars cached) | {mesh:.1f} s | broker + {services} bare uvicorn "
        f"apps: {bare:.1f} s | {mesh / bare:.2f}× | ≤ {TARGET_UP_SECONDS:.0f} s | {verdict(mesh <= TARGET_UP_SECONDS)} |",
        f"| demo load at scale {scale:g} after the mesh is ready ({commands:,} commands, {refused} refused; "
        f"NDJSON batches of ≤ {BATCH_LINES}, {BATCHES_IN_FLIGHT} in flight per phase, for {batched}{singly}) | {demo:.1f} s ({commands / demo:.0f} commands/s) | the same number of "
        f"commands to the bare FastAPI + SQLModel route: {bare_demo:.1f} s | {demo / bare_demo:.2f}× | "
        f"≤ {TARGET_DEMO_SECONDS:.0f} s | {verdict(demo <= TARGET_DEMO_SECONDS)} |",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
