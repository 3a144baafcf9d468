"""The command path: roster's ``POST /fighters`` (bearer token, validation, unit of work, the fighter row and its
outbox row in one transaction) against a bare FastAPI route inserting the same row with SQLModel (target ≥ 0.7×),
on SQLite and on PostgreSQL.

Both apps run under uvicorn in processes of their own, each on a store of its own of the same kind; the relay and
subscriptions are off (the outbox row is written, not published), so the figure is the command path itself. One
client sends the same commands alternately to each, round after round, so machine noise hits both alike; the best
round of each counts. A second figure sends every command with an ``Idempotency-Key`` (what loaders do to retry
safely), which adds the remembered answer to the transaction.

The batch row uploads fighters as NDJSON to ``POST /fighters/batch`` (every line with an idempotency key, as a loader
sends them; each line validated and run as the single command, with its outbox row and remembered reply, written
together per chunk of lines) against the bare app's ``POST /fighters/batch``: the same lines validated by the same
model and stored with one multi-row insert.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from benchmarks.servers import bearer, domain_environment, served, verdict
from mesh_tools.testing.postgres import admin_url, create_database, drop_database

COMMANDS = 300
ROUNDS = 5
BATCH_LINES = 1000
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


def batch_fighters_per_second(client: httpx.Client, headers: dict[str, str]) -> float:
    body = "".join(json.dumps({"idempotency_key": uuid.uuid4().hex, "command": FIGHTER}) + "\n"
                   for _ in range(BATCH_LINES))
    started = time.perf_counter()
    response = client.post("/fighters/batch", content=body,
                           headers={**headers, "Content-Type": "application/x-ndjson"}, timeout=600)
    elapsed = time.perf_counter() - started
    answers = response.text.splitlines()
    if response.status_code != 200 or len(answers) != BATCH_LINES or any(
            json.loads(answer)["status"] != 201 for answer in answers):
        raise RuntimeError(f"POST /fighters/batch answered {response.status_code}: {response.text[:500]}")
    return BATCH_LINES / elapsed


def measure(store: str, run_dir: Path) -> dict[str, float]:
    """Best commands/s of roster (without and with idempotency keys, and in batches) and of the bare app."""
    urls = [f"sqlite:///{run_dir / name}.db" for name in ("roster", "bare")] if store == "sqlite" else [
        create_database(admin_url()), create_database(admin_url())]
    headers = bearer("write:roster")
    best = {"mesh": 0.0, "keyed": 0.0, "bare": 0.0, "batch": 0.0, "bare_batch": 0.0}
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
                best["batch"] = max(best["batch"], batch_fighters_per_second(mesh, headers))
                best["bare_batch"] = max(best["bare_batch"], batch_fighters_per_second(bare, {}))
    finally:
        if store == "postgresql":
            for url in urls:
                drop_database(url)
    return best


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: at tiny sizes, only to show it still runs."""
    global COMMANDS, ROUNDS, BATCH_LINES
    if smoke:
        COMMANDS, ROUNDS, BATCH_LINES = 20, 1, 20
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
            batch = best["batch"] / best["bare_batch"]
            rows.append(f"| command path ({label}), NDJSON batch `POST /fighters/batch` of {BATCH_LINES} fighters, "
                        f"each with an idempotency key | {best['batch']:.0f} fighters/s | bare FastAPI route, one "
                        f"multi-row SQLModel insert: {best['bare_batch']:.0f} fighters/s | {batch:.2f}× | — | info |")
    return rows


if __name__ == "__main__":
    print("\n".join(main()))
