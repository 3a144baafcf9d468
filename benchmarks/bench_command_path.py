"""The command path: roster's ``POST /fighters`` (bearer token, validation, unit of work, the fighter row and its
outbox row in one transaction) against a bare FastAPI route inserting the same row with SQLModel (target ≥ 0.7×),
on SQLite and on PostgreSQL.

Both apps run under uvicorn in processes of their own, each on a store of its own of the same kind; the relay and
subscriptions are off (the outbox row is written, not published), so the figure is the command path itself. One
client sends the same commands alternately to each, round after round, so machine noise hits both alike; the best
round of each counts. A second figure sends every command with an ``Idempotency-Key`` (what loaders do to retry
safely), which adds the remembered answer to the transaction.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import httpx

from benchmarks.servers import bearer, domain_environment, served, verdict
from mesh_platform.testing.postgres import admin_url, create_database, drop_database

COMMANDS = 300
ROUNDS = 5
TARGET = 0.7
FIGHTER = {"name": "Fighter Bench", "nickname": None, "date_of_birth": "1990-01-01", "nationality": "US",
           "weight_class": "lightweight", "stance": "orthodox", "height_cm": 178, "reach_cm": 180}
BENCHMARKS_DIR = Path(__file__).parent


def commands_per_second(client: httpx.Client, headers: dict[str, str], keyed: bool) -> float:
    started = time.perf_counter()
    for _ in range(COMMANDS):
        extra = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
        response = client.post("/fighters", json=FIGHTER, headers={**headers, **extra})
        if response.status_code != 201:
            raise RuntimeError(f"POST /fighters answered {response.status_code}: {response.text[:500]}")
    return COMMANDS / (time.perf_counter() - started)


def measure(store: str, run_dir: Path) -> dict[str, float]:
    """Best commands/s of roster (without and with idempotency keys) and of the bare app, on ``store`` stores."""
    urls = [f"sqlite:///{run_dir / name}.db" for name in ("roster", "bare")] if store == "sqlite" else [
        create_database(admin_url()), create_database(admin_url())]
    headers = bearer("write:roster")
    best = {"mesh": 0.0, "keyed": 0.0, "bare": 0.0}
    try:
        with served("roster.app:create_app", domain_environment("roster", run_dir, urls[0]),
                    run_dir / f"roster-{store}.log") as mesh, \
                served("bare_command_app:create_app", {"DATABASE_URL": urls[1]}, run_dir / f"bare-{store}.log",
                       cwd=BENCHMARKS_DIR) as bare:
            commands_per_second(mesh, headers, False)  # warm both: first connections, compiled statements
            commands_per_second(bare, {}, False)
            for _ in range(ROUNDS):
                best["mesh"] = max(best["mesh"], commands_per_second(mesh, headers, False))
                best["bare"] = max(best["bare"], commands_per_second(bare, {}, False))
                best["keyed"] = max(best["keyed"], commands_per_second(mesh, headers, True))
    finally:
        if store == "postgresql":
            for url in urls:
                drop_database(url)
    return best


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: at tiny sizes, only to show it still runs."""
    global COMMANDS, ROUNDS
    if smoke:
        COMMANDS, ROUNDS = 20, 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-command-path-") as directory:
        for store, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
            best = measure(store, Path(directory))
            ratio, keyed = best["mesh"] / best["bare"], best["keyed"] / best["bare"]
            rows.append(f"| command path ({label}): roster `POST /fighters` (token, unit of work, outbox row) | "
                        f"{best['mesh']:.0f} commands/s | bare FastAPI route + SQLModel insert: {best['bare']:.0f} "
                        f"commands/s | {ratio:.2f}× | ≥ {TARGET}× | {verdict(ratio >= TARGET)} |")
            rows.append(f"| command path ({label}), every command with an `Idempotency-Key` | {best['keyed']:.0f} "
                        f"commands/s | the same bare route: {best['bare']:.0f} commands/s | {keyed:.2f}× | — | info |")
    return rows


if __name__ == "__main__":
    print("\n".join(main()))
