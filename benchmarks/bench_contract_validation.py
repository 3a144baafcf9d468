"""Contract validation cost per event (target ≤ 10 µs for a typical event) against `json.loads` of the same event
and against a bare fastjsonschema validator compiled from the same schema.

The mesh path is what a subscriber runs: ``DataProductContract.validate_event(ce_type, data)``, the validator
compiled once from the contract, raising ``ContractViolation`` on failure. Each event's data is the contract's own
example record (every property's first example); the ranking is grown to 15 fighters, as on a real division page.
Timings are the best of several rounds, taken alternately, so machine noise hits all three alike.
"""

from __future__ import annotations

import copy
import json
import timeit
from collections.abc import Callable
from typing import Any

import fastjsonschema

from mesh_platform.contracts import ContractRegistry, DataProductContract, default_contracts_dir
from mesh_platform.contracts.json_schema import CUSTOM_FORMATS

ROUNDS = 7
NUMBER = 10_000
TARGET_MICROSECONDS = 10.0
RANKED_FIGHTERS = 15
EVENTS = [
    ("roster", "fighters", "octagon.roster.fighter.registered.v1"),
    ("schedule", "event-cards", "octagon.schedule.card.announced.v1"),
    ("schedule", "bouts", "octagon.schedule.bout.scheduled.v1"),
    ("stats", "fighter-records", "octagon.stats.record.updated.v1"),
    ("results", "bout-results", "octagon.results.result.recorded.v1"),
    ("stats", "rankings", "octagon.stats.ranking.updated.v1"),
]


def event_data(contract: DataProductContract) -> dict[str, Any]:
    """The contract's example record; a ranking gets RANKED_FIGHTERS entries."""
    data = contract.example_record()
    if "entries" in data:
        template = data["entries"][0]
        data["entries"] = [
            {**copy.deepcopy(template), "rank": n, "rating": template["rating"] - 10 * n}
            for n in range(1, RANKED_FIGHTERS + 1)
        ]
    return data


def _best_microseconds(timers: dict[str, Callable[[], Any]]) -> dict[str, float]:
    best = {name: float("inf") for name in timers}
    for _ in range(ROUNDS):
        for name, call in timers.items():
            seconds = timeit.timeit(call, number=NUMBER)
            best[name] = min(best[name], seconds / NUMBER * 1e6)
    return best


def measure(contract: DataProductContract, event_type: str, data: dict[str, Any]) -> dict[str, float]:
    """Best µs per call of the mesh validator, a bare fastjsonschema validator and json.loads, for one event."""
    wire = json.dumps(data).encode()
    bare = fastjsonschema.compile(contract.event_schema(event_type), formats=CUSTOM_FORMATS)
    contract.validate_event(event_type, data)  # compiles the validator once, as a subscriber's first event does
    bare(data)
    best = _best_microseconds(
        {
            "mesh": lambda: contract.validate_event(event_type, data),
            "bare": lambda: bare(data),
            "loads": lambda: json.loads(wire),
        }
    )
    return {**best, "bytes": len(wire)}


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: at tiny sizes, only to show it still runs."""
    global ROUNDS, NUMBER
    if smoke:
        ROUNDS, NUMBER = 1, 100
    registry = ContractRegistry.from_directory(default_contracts_dir())
    rows = []
    for domain, product, event_type in EVENTS:
        contract = registry.get(domain, product)
        best = measure(contract, event_type, event_data(contract))
        mesh, bare, loads = best["mesh"], best["bare"], best["loads"]
        met = "met" if mesh <= TARGET_MICROSECONDS else "missed"
        rows.append(
            f"| contract validation per event (`{event_type}`, {best['bytes']:.0f} B) | {mesh:.2f} µs | "
            f"bare fastjsonschema: {bare:.2f} µs; json.loads alone: {loads:.2f} µs | {mesh / bare:.2f}× "
            f"(json.loads: {mesh / loads:.2f}×) | ≤ {TARGET_MICROSECONDS:.0f} µs | {met} |"
        )
    return rows


if __name__ == "__main__":
    print("\n".join(main()))
