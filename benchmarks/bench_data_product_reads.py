"""Data-product read throughput against a bare FastAPI + SQLModel endpoint on the same rows (target ≥ 0.8×).

Both apps run under uvicorn in their own process on the same SQLite file with 2,000 fighters; one client reads
pages of 100 alternately from each for the same number of rounds, so machine noise hits both alike.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.servers import bearer, domain_environment, served

FIGHTERS = 2000
ROUNDS = 5
REQUESTS_PER_ROUND = 200


def register_fighters(client: httpx.Client) -> None:
    for index in range(FIGHTERS):
        response = client.post("/fighters", headers=bearer("write:roster"), json={
            "name": f"Fighter {index:05d}", "nickname": None, "date_of_birth": "1990-01-01", "nationality": "US",
            "weight_class": "lightweight", "stance": "orthodox", "height_cm": 178, "reach_cm": 180})
        response.raise_for_status()


def requests_per_second(client: httpx.Client, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    for _ in range(REQUESTS_PER_ROUND):
        response = client.get(path, headers=headers)
        response.raise_for_status()
    return REQUESTS_PER_ROUND / (time.perf_counter() - started)


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: at tiny sizes, only to show it still runs."""
    global FIGHTERS, ROUNDS, REQUESTS_PER_ROUND
    if smoke:
        FIGHTERS, ROUNDS, REQUESTS_PER_ROUND = 100, 1, 20
    with tempfile.TemporaryDirectory() as name:
        run_dir = Path(name)
        database = f"sqlite:///{run_dir}/roster.db"
        with served("roster.app:create_app", domain_environment("roster", run_dir, database), run_dir / "roster.log") \
                as roster:
            register_fighters(roster)
            with served("bare_fighters_app:create_app", {"DATABASE_URL": database}, run_dir / "bare.log",
                        cwd=Path(__file__).parent) as bare:
                headers = bearer("read:roster.fighters.v1")
                product, baseline = [], []
                for _ in range(ROUNDS):
                    product.append(requests_per_second(roster, "/data-products/fighters/v1?limit=100", headers))
                    baseline.append(requests_per_second(bare, "/fighters?limit=100", {}))
    best_product, best_baseline = max(product), max(baseline)
    ratio = best_product / best_baseline
    return [f"| data-product read, pages of 100 (roster `fighters` v1) | {best_product:.0f} req/s | bare FastAPI + SQLModel: "
            f"{best_baseline:.0f} req/s | {ratio:.2f}× | ≥ 0.8× | {'met' if ratio >= 0.8 else 'missed'} |"]


if __name__ == "__main__":
    print("\n".join(main()))
