"""What several benchmarks share: services served by uvicorn in processes of their own, and percentiles."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from mesh_platform.testing.ports import free_port

REPOSITORY = Path(__file__).resolve().parents[1]


def percentile(samples: list[float], share: float) -> float:
    """The sample below which ``share`` of the samples lie (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def verdict(met: bool) -> str:
    return "met" if met else "missed"


@contextmanager
def served(factory: str, environment: dict[str, str], log: Path, *, ready_path: str = "/health",
           cwd: Path | None = None) -> Iterator[httpx.Client]:
    """A client of the ASGI app ``factory`` served by uvicorn in a process of its own; stopped on leaving."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]
    with log.open("w") as output:
        server = subprocess.Popen(command, env={**os.environ, **environment, "PORT": str(port)}, stdout=output,
                                  stderr=subprocess.STDOUT, cwd=cwd or REPOSITORY)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get(ready_path).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{factory} did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
            yield client
    finally:
        server.terminate()
        server.wait(15)


@contextmanager
def served_catalog(database_url: str, run_dir: Path) -> Iterator[httpx.Client]:
    """A client of a catalog started on ``database_url``; the server is stopped on leaving."""
    environment = {"DATABASE_URL": database_url, "MESH_RUN_DIR": str(run_dir), "MESH_ENV": "test"}
    with served("catalog.app:create_app", environment, run_dir / "catalog.log") as client:
        yield client
