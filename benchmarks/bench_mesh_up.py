"""Time from `mesh up --no-demo` to every service ready, with the Kafka jars cached (target ≤ 30 s).

The baseline is the bare minimum the same processes need: the broker alone, then one bare uvicorn app per service
started at once, in the same run, so the ratio shows what the mesh adds (migrations, registration, readiness).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from mesh_platform.kafka import LocalKafkaBroker
from mesh_platform.launcher.topology import discover_services, env_name
from mesh_platform.testing.ports import free_port

BARE_APP = "fastapi_bare:app"


def mesh_up_seconds(run_dir: Path) -> float:
    environ = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    for spec in discover_services(environ):
        environ[f"{env_name(spec.name)}_PORT"] = str(free_port())
    environ.update(KAFKA_PORT=str(free_port()), KAFKA_CONTROLLER_PORT=str(free_port()), MESH_RUN_DIR=str(run_dir))
    started = time.perf_counter()
    process = subprocess.Popen([str(Path(sys.executable).parent / "mesh"), "up", "--no-demo"], env=environ,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ready = threading.Event()

    def watch() -> None:
        for line in process.stdout:
            if "mesh ready" in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not ready.wait(180):
            raise RuntimeError("mesh up did not become ready in 180 s")
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)


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


def main() -> list[str]:
    services = len(discover_services())
    with tempfile.TemporaryDirectory() as run_dir:
        mesh = min(mesh_up_seconds(Path(run_dir) / f"run{attempt}") for attempt in range(2))
        bare = min(bare_seconds(Path(run_dir), services) for _ in range(2))
    return [f"| `mesh up` to all {services} services ready (jars cached) | {mesh:.1f} s | broker + {services} bare uvicorn "
            f"apps: {bare:.1f} s | {mesh / bare:.2f}× | ≤ 30 s | {'met' if mesh <= 30 else 'missed'} |"]


if __name__ == "__main__":
    print("\n".join(main()))
