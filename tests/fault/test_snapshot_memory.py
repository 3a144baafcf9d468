"""Exporting a 1,000,000-record product through the analytical port keeps memory bounded (peak RSS measured).

Runs in the fault stage: building and exporting a million records takes about a minute of CPU.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.fault

PROBE = Path(__file__).with_name("snapshot_memory_probe.py")
ROWS = 1_000_000
MIB = 1 << 20
# What one export may add to the process's peak RSS: chunks of records, Arrow buffers and a Parquet row group,
# never the product (as Python records the million fighters take well over 1 GiB).
GROWTH_BOUND = 160 * MIB


def probe(*arguments: str) -> str:
    completed = subprocess.run([sys.executable, str(PROBE), *arguments], capture_output=True, text=True,
                               timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_a_million_record_parquet_snapshot_is_exported_in_bounded_memory(tmp_path):
    database = tmp_path / "product.db"
    probe("build", str(database), str(ROWS))
    data_size = database.stat().st_size
    measured = json.loads(probe("export", str(database), "parquet", str(tmp_path)).splitlines()[-1])
    assert measured["rows"] == ROWS
    growth = measured["peak_rss"] - measured["baseline_rss"]
    assert growth < GROWTH_BOUND, f"export grew the process by {growth / MIB:.0f} MiB"
    assert growth < data_size / 2, f"{growth / MIB:.0f} MiB for a {data_size / MIB:.0f} MiB product"
    assert measured["parquet_rows"] == ROWS and measured["row_groups"] > 1  # written chunk by chunk
