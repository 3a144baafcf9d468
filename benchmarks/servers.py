"""What several benchmarks share: services served by uvicorn in processes of their own, and percentiles."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx

from mesh_tools.testing.authority import TestAuthority
from mesh_tools.testing.ports import free_port

REPOSITORY = Path(__file__).resolve().parents[1]


_AUTHORITY: list[TestAuthority] = []


def authority() -> TestAuthority:
    """The benchmarks' authorization server: every service started here trusts its key, tokens come from it."""
    if not _AUTHORITY:
        _AUTHORITY.append(TestAuthority())
    return _AUTHORITY[0]


def authority_environment() -> dict[str, str]:
    """Environment making a service trust :func:`authority` (and run without a catalog or a broker to talk to)."""
    trusted = authority()
    return {"MESH_ENV": "test", "MESH_OIDC_ISSUER": trusted.issuer, "MESH_OIDC_AUDIENCE": trusted.audience,
            "MESH_OIDC_JWKS": trusted.jwks_json}


def bearer(*scopes: str) -> dict[str, str]:
    """An ``Authorization`` header with a token of :func:`authority` holding ``scopes`` (valid for hours)."""
    return {"Authorization": f"Bearer {authority().token('bench', list(scopes), lifetime=timedelta(hours=6))}"}


def domain_environment(domain: str, run_dir: Path, database_url: str) -> dict[str, str]:
    """A domain service on its own, for benchmarks of its HTTP edge: relay, subscriptions and catalog off."""
    return {**authority_environment(), "MESH_RUN_DIR": str(run_dir), "DATABASE_URL": database_url,
            "MESH_RELAY_ENABLED": "false", "MESH_SUBSCRIPTIONS_ENABLED": "false", "MESH_CATALOG_ENABLED": "false",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "MESH_CLIENT_ID": domain, "MESH_CLIENT_SECRET": "bench-secret"}


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
            deadline = time.monotonic() + 180  # a busy machine starts services slowly
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
    environment = {**authority_environment(), "DATABASE_URL": database_url, "MESH_RUN_DIR": str(run_dir)}
    with served("catalog.app:create_app", environment, run_dir / "catalog.log") as client:
        yield client
