"""Every benchmark still runs: each is run at tiny sizes, as ``make bench`` runs it (``python -m benchmarks``), and
must print its rows of the README's table, each with a measured figure and a verdict.

Nothing here asserts a speed: figures at these sizes mean nothing. The benchmarks run side by side, each in a
process of its own (they start their own servers, broker and mesh on free ports), so the whole check takes about as
long as the slowest of them.
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
TIMEOUT_SECONDS = 600
ROW = re.compile(r"^\| (?P<benchmark>[^|]+) \| (?P<figure>[^|]+) \| (?P<baseline>[^|]+) \| (?P<ratio>[^|]+) \| "
                 r"(?P<target>[^|]+) \| (?P<verdict>met|missed|info) \|$")

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def smoke_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """``python -m benchmarks --smoke <name>`` for every benchmark, all started at once: (exit code, output)."""
    logs = tmp_path_factory.mktemp("benchmarks")
    started = {}
    for name in BENCHMARKS:
        log = (logs / f"{name}.log").open("w+")
        started[name] = (subprocess.Popen([sys.executable, "-m", "benchmarks", "--smoke", name], cwd=REPOSITORY,
                                          stdout=log, stderr=subprocess.STDOUT), log)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    runs = {}
    for name, (process, log) in started.items():
        try:
            code = process.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        log.seek(0)
        runs[name] = (code, log.read())
        log.close()
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
