"""Data-product read throughput against a bare FastAPI + SQLModel endpoint on the same rows (target ≥ 0.8×).

Both apps run under uvicorn in their own process on the same SQLite file with 2,000 fighters; one client reads
pages of 100 alternately from each for the same number of rounds, so machine noise hits both alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from mesh_platform.auth.tokens import TokenIssuer
from mesh_platform.settings import DEV_TOKEN_SECRET
from mesh_platform.testing.ports import free_port

FIGHTERS = 2000
ROUNDS = 5
REQUESTS_PER_ROUND = 200


def serve(factory: str, port: int, environ: dict[str, str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port), "--log-level", "warning",
               "--no-access-log"]
    process = subprocess.Popen(command, env=environ, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               cwd=Path(__file__).parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{factory} did not start: {log.read_text()[-2000:]}")


def register_fighters(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        for index in range(FIGHTERS):
            response = client.post("/fighters", json={
                "name": f"Fighter {index:05d}", "nickname": None, "date_of_birth": "1990-01-01", "nationality": "US",
                "weight_class": "lightweight", "stance": "orthodox", "height_cm": 178, "reach_cm": 180})
            response.raise_for_status()


def requests_per_second(client: httpx.Client, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    for _ in range(REQUESTS_PER_ROUND):
        response = client.get(path, headers=headers)
        response.raise_for_status()
    return REQUESTS_PER_ROUND / (time.perf_counter() - started)


def main() -> list[str]:
    with tempfile.TemporaryDirectory() as run_dir:
        database = f"sqlite:///{run_dir}/roster.db"
        base = {**os.environ, "MESH_RUN_DIR": run_dir, "DATABASE_URL": database, "MESH_RELAY_ENABLED": "false",
                "MESH_SUBSCRIPTIONS_ENABLED": "false", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"}
        roster_port, bare_port = free_port(), free_port()
        roster = serve("roster.app:create_app", roster_port, {**base, "PORT": str(roster_port)}, Path(run_dir, "roster.log"))
        try:
            register_fighters(f"http://127.0.0.1:{roster_port}")
            bare = serve("bare_fighters_app:create_app", bare_port, base, Path(run_dir, "bare.log"))
            try:
                token = TokenIssuer(DEV_TOKEN_SECRET).issue("bench", ["read"])
                product, baseline = [], []
                with httpx.Client(timeout=10) as client:
                    for _ in range(ROUNDS):
                        product.append(requests_per_second(
                            client, f"http://127.0.0.1:{roster_port}/data-products/fighters/v1?limit=100",
                            {"Authorization": f"Bearer {token}"}))
                        baseline.append(requests_per_second(client, f"http://127.0.0.1:{bare_port}/fighters?limit=100", {}))
            finally:
                bare.terminate()
                bare.wait(10)
        finally:
            roster.terminate()
            roster.wait(10)
    best_product, best_baseline = max(product), max(baseline)
    ratio = best_product / best_baseline
    return [f"| data-product read, pages of 100 (roster `fighters` v1) | {best_product:.0f} req/s | bare FastAPI + SQLModel: "
            f"{best_baseline:.0f} req/s | {ratio:.2f}× | ≥ 0.8× | {'met' if ratio >= 0.8 else 'missed'} |"]


if __name__ == "__main__":
    print("\n".join(main()))
