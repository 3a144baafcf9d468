"""Run as a process of its own: ``build <db> <rows>`` fills a SQLite fighters product; ``export <db> <fmt> <dir>``
exports one snapshot through the analytical port's code path and prints rows, file size and peak RSS as JSON."""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import sys

import pyarrow.parquet as pq
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table

from mesh_platform.wire import utc_timestamp


def fighters_table(metadata: MetaData) -> Table:
    return Table(
        "fighters", metadata,
        Column("fighter_id", String(36), primary_key=True), Column("name", String(120)),
        Column("nickname", String(60)), Column("date_of_birth", Date), Column("nationality", String(2)),
        Column("weight_class", String(40)), Column("stance", String(20)), Column("height_cm", Integer),
        Column("reach_cm", Integer), Column("status", String(20)),
        Column("registered_at", DateTime(timezone=True)), Column("updated_at", DateTime(timezone=True)),
    )


def to_record(row) -> dict:
    return {**{name: row[name] for name in ("fighter_id", "name", "nickname", "nationality", "weight_class", "stance",
                                            "height_cm", "reach_cm", "status")},
            "date_of_birth": row["date_of_birth"].isoformat(),
            "registered_at": utc_timestamp(row["registered_at"]), "updated_at": utc_timestamp(row["updated_at"])}


def build(path: str, rows: int) -> None:
    """``rows`` fighters, generated inside SQLite (a recursive CTE): the builder holds none of them in memory."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    fighters_table(MetaData()).metadata.create_all(engine)
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(rows)})
            INSERT INTO fighters SELECT printf('00000000-0000-4000-8000-%012d', i), 'Fighter number ' || i,
                   CASE WHEN i % 3 = 0 THEN 'The Nickname ' || i END, date('1980-01-01', '+' || (i % 9000) || ' days'),
                   'BR', 'lightweight', 'orthodox', 150 + i % 60, 160 + i % 60, 'active',
                   '2024-01-01 10:00:00.000000', '2024-06-01 10:00:00.000000'
            FROM n""")


def export(path: str, fmt: str, directory: str) -> None:
    from mesh_platform.contracts import ContractRegistry, default_contracts_dir
    from mesh_platform.http.analytical import AnalyticalPort, export_snapshot
    from mesh_platform.http.data_products import DataProductPort
    from mesh_platform.store.engine import create_store_engine
    from mesh_platform.store.product_snapshot import SqlTableSnapshots
    from mesh_platform.store.product_source import SqlTableSource

    contract = ContractRegistry.from_directory(default_contracts_dir()).get("roster", "fighters", 1)
    engine = create_store_engine(f"sqlite:///{path}")
    source = SqlTableSource(engine, fighters_table(MetaData()), "fighter_id", to_record)
    port = DataProductPort(domain="roster", product="fighters", major=1, key_field="fighter_id", source=source,
                           pii_fields=frozenset(contract.pii_fields))
    analytical = AnalyticalPort.of(port, SqlTableSnapshots(source), contract)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    exported = export_snapshot(analytical, fmt, lambda record: record, directory=directory)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    stored = pq.ParquetFile(exported.path).metadata if fmt == "parquet" else None
    os.unlink(exported.path)
    print(json.dumps({"rows": exported.rows, "size": exported.size, "peak_rss": peak, "baseline_rss": baseline,
                      "parquet_rows": stored.num_rows if stored else None,
                      "row_groups": stored.num_row_groups if stored else None}))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], int(sys.argv[3]))
    else:
        export(sys.argv[2], sys.argv[3], sys.argv[4])
