"""Every benchmark still runs: each is run at tiny sizes, as ``make bench`` runs it (``python -m benchmarks``), and
must print its rows of the README's table, each with a measured figure and a verdict.

Nothing here asserts a speed: figures at these sizes mean nothing. The benchmarks run side by side, each in a
process of its own (they start their own servers, broker and mesh on free ports), three at a time.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(path.stem.removeprefix("bench_") for path in (REPOSITORY / "benchmarks").glob("bench_*.py"))
TIMEOUT_SECONDS = 900
PARALLEL = 3  # benchmarks at once: each mostly waits for the servers it starts
ROW = re.compile(r"^\| (?P<benchmark>[^|]+) \| (?P<figure>[^|]+) \| (?P<baseline>[^|]+) \| (?P<ratio>[^|]+) \| "
                 r"(?P<target>[^|]+) \| (?P<verdict>met|missed|info) \|$")

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def smoke_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """``python -m benchmarks --smoke <name>`` for every benchmark, PARALLEL at a time: (exit code, output)."""
    logs = tmp_path_factory.mktemp("benchmarks")
    waiting, running, runs = list(BENCHMARKS), {}, {}
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while waiting or running:
        while waiting and len(running) < PARALLEL:
            name = waiting.pop(0)
            log = (logs / f"{name}.log").open("w+")
            running[name] = (subprocess.Popen([sys.executable, "-m", "benchmarks", "--smoke", name], cwd=REPOSITORY,
                                              stdout=log, stderr=subprocess.STDOUT), log)
        for name, (process, log) in list(running.items()):
            if process.poll() is None and time.monotonic() < deadline:
                continue
            if process.poll() is None:
                process.kill()
            log.seek(0)
            runs[name] = (process.wait(), log.read())
            log.close()
            del running[name]
        time.sleep(0.2)
    return runs


def test_the_benchmarks_are_found():
    assert {"catalog_ingestion", "catalog_lineage", "catalog_search", "command_path", "contract_validation",
            "data_product_reads", "event_pipeline", "mesh_up"} <= set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_each_benchmark_runs_at_tiny_sizes_and_prints_its_table_rows(name, smoke_runs):
    code, output = smoke_runs[name]
    assert code == 0, output[-3000:]
    lines = output.splitlines()
    assert lines[:2] == ["| benchmark | figure | baseline | ratio | target | |", "|---|---|---|---|---|---|"]
    rows = [ROW.match(line) for line in lines[2:] if line.startswith("| ")]
    assert rows and all(rows), output[-3000:]
    for row in rows:
        assert re.search(r"\d", row["figure"]), row.group(0)  # a measured figure, whatever its size
        if row["verdict"] != "info":  # a row with a target carries its bare baseline or the target it is held to
            assert row["target"].strip() != "—", row.group(0)
