"""The analytical port against real stores (SQLite and PostgreSQL): snapshots, masking, increments, consistency."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, update

from mesh_platform.contracts import ContractRegistry, default_contracts_dir
from mesh_platform.http.analytical import AnalyticalPort, analytical_router, export_snapshot
from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.data_products import DataProductPort
from mesh_platform.http.problems import install_problem_handlers
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.product_snapshot import SqlTableSnapshots
from mesh_platform.store.product_source import SqlTableSource
from mesh_platform.wire import utc_timestamp
from mesh_tools.testing.authority import test_authority

pytestmark = pytest.mark.integration

CONTRACT = ContractRegistry.from_directory(default_contracts_dir()).get("roster", "fighters", 1)
READ = "read:roster.fighters.v1"
PII = "pii:roster.fighters"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


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


def row(n: int, updated_at: datetime = T0) -> dict:
    return {"fighter_id": f"00000000-0000-4000-8000-{n:012d}", "name": f"Fighter {n}", "nickname": None,
            "date_of_birth": date(1990, 1, 1) + timedelta(days=n), "nationality": "BR", "weight_class": "lightweight",
            "stance": "orthodox", "height_cm": 170 + n % 20, "reach_cm": 175, "status": "active",
            "registered_at": T0, "updated_at": updated_at}


@pytest.fixture
def product(store_url):
    engine = create_store_engine(store_url)
    metadata = MetaData()
    table = fighters_table(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [row(n) for n in range(1, 31)])
    source = SqlTableSource(engine, table, "fighter_id", to_record)
    port = DataProductPort(domain="roster", product="fighters", major=1, key_field="fighter_id", source=source,
                           pii_fields=frozenset(CONTRACT.pii_fields))
    yield engine, table, AnalyticalPort.of(port, SqlTableSnapshots(source, chunk_rows=7), CONTRACT)
    engine.dispose()


def client_for(analytical: AnalyticalPort) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(analytical_router(analytical, Authorizer(test_authority().verifier())))
    return TestClient(app)


def bearer(*scopes: str) -> dict[str, str]:
    return test_authority().bearer("analyst", list(scopes))


def test_parquet_snapshot_has_the_contracts_columns_and_types_and_its_time_count_and_hash(product):
    _, _, analytical = product
    response = client_for(analytical).get("/analytical/fighters/v1.parquet", headers=bearer(READ))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names == [spec.name for spec in CONTRACT.fields]
    assert table.schema.field("height_cm").type == pa.int64()
    assert table.schema.field("updated_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("date_of_birth").type == pa.date32()
    assert table.num_rows == 30 == int(response.headers["X-Row-Count"])
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()
    taken_at = datetime.fromisoformat(response.headers["X-Snapshot-Time"])
    assert abs(datetime.now(UTC) - taken_at) < timedelta(minutes=1)
    assert table.column("fighter_id").to_pylist() == sorted(table.column("fighter_id").to_pylist())


def test_personal_data_is_null_in_parquet_and_ndjson_without_the_pii_grant_and_present_with_it(product):
    _, _, analytical = product
    client = client_for(analytical)
    masked = pq.read_table(io.BytesIO(client.get("/analytical/fighters/v1.parquet", headers=bearer(READ)).content))
    assert masked.column("date_of_birth").null_count == 30
    shown = pq.read_table(io.BytesIO(client.get("/analytical/fighters/v1.parquet", headers=bearer(READ, PII)).content))
    assert shown.column("date_of_birth").null_count == 0
    assert shown.column("date_of_birth")[0].as_py() == date(1990, 1, 2)
    lines = client.get("/analytical/fighters/v1.ndjson", headers=bearer(READ)).text.splitlines()
    assert len(lines) == 30 and all(json.loads(line)["date_of_birth"] is None for line in lines)
    record = json.loads(client.get("/analytical/fighters/v1.ndjson", headers=bearer(READ, PII)).text.splitlines()[0])
    assert record["date_of_birth"] == "1990-01-02"
    CONTRACT.validate_record(record)


def test_incremental_snapshot_returns_only_the_records_changed_since(product):
    engine, table, analytical = product
    client = client_for(analytical)
    first = client.get("/analytical/fighters/v1.ndjson", headers=bearer(READ))
    since = first.headers["X-Snapshot-Time"]
    changed = datetime.fromisoformat(since) + timedelta(seconds=1)
    with engine.begin() as connection:
        for key in ("00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000017"):
            connection.execute(update(table).where(table.c.fighter_id == key).values(status="retired",
                                                                                     updated_at=changed))
    response = client.get("/analytical/fighters/v1.ndjson", params={"since": since}, headers=bearer(READ))
    assert response.status_code == 200
    records = [json.loads(line) for line in response.text.splitlines()]
    assert [(r["fighter_id"][-2:], r["status"]) for r in records] == [("04", "retired"), ("17", "retired")]
    assert response.headers["X-Row-Count"] == "2"
    parquet = client.get("/analytical/fighters/v1.parquet", params={"since": since}, headers=bearer(READ))
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == 2


def test_since_is_refused_with_a_problem_when_invalid_or_when_the_product_has_no_change_timestamp(product):
    _, _, analytical = product
    client = client_for(analytical)
    for value in ("yesterday", "2026-01-01T12:00:00", "9999-12-31T23:00:00-14:00"):
        response = client.get("/analytical/fighters/v1.ndjson", params={"since": value}, headers=bearer(READ))
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith("since:")
    without = client_for(replace(analytical, change_field=None))
    response = without.get("/analytical/fighters/v1.parquet", params={"since": "2026-01-01T12:00:00Z"},
                           headers=bearer(READ))
    assert response.status_code == 400
    assert "no change timestamp" in response.json()["detail"]


def test_snapshot_needs_the_read_scope_of_this_major(product):
    _, _, analytical = product
    client = client_for(analytical)
    missing = client.get("/analytical/fighters/v1.parquet")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    for scopes in ([PII], ["read:roster.fighters.v2"], ["read:schedule.bouts.v1"], ["write:roster"]):
        response = client.get("/analytical/fighters/v1.ndjson", headers=bearer(*scopes))
        assert response.status_code == 403, scopes
        assert response.headers["content-type"] == "application/problem+json"
        assert READ in response.json()["detail"]


def test_a_snapshot_taken_during_concurrent_writes_holds_one_committed_state_of_every_record(product):
    """A writer moves every record to generation n (name and nickname together) in one transaction, over and over,
    while snapshots are read slowly in small chunks: each record shows one state, and all records the same one."""
    engine, table, analytical = product
    stop = threading.Event()
    generations = []

    with engine.begin() as connection:
        connection.execute(update(table).values(name="Gen 0", nickname="g0"))

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as connection:
                connection.execute(update(table).values(name=f"Gen {n}", nickname=f"g{n}"))
            generations.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        seen = set()
        for _ in range(5):
            exported = export_snapshot(analytical, "ndjson", lambda record: (time.sleep(0.002), record)[1])
            with open(exported.path, encoding="utf-8") as body:
                records = [json.loads(line) for line in body]
            states = {(r["name"], r["nickname"]) for r in records}
            assert len(records) == 30
            assert len(states) == 1, f"one snapshot mixed states: {sorted(states)[:4]}"
            name, nickname = states.pop()
            assert name.removeprefix("Gen ") == nickname.removeprefix("g")
            seen.add(name)
    finally:
        stop.set()
        writer.join()
    assert len(generations) > 5, "the writer must have committed while snapshots were read"


def test_head_answers_the_snapshot_figures_without_the_body_and_without_counting_a_reader(product):
    _, _, analytical = product
    readers: list[str] = []
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(analytical_router(analytical, Authorizer(test_authority().verifier()),
                                         lambda subject, port: readers.append(subject)))
    client = TestClient(app)

    head = client.head("/analytical/fighters/v1.parquet", headers=bearer(READ))

    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["X-Row-Count"]) == 30
    assert len(head.headers["X-Content-SHA256"]) == 64 and datetime.fromisoformat(head.headers["X-Snapshot-Time"])
    assert readers == []
    assert client.head("/analytical/fighters/v1.parquet").status_code == 401
    assert client.get("/analytical/fighters/v1.parquet", headers=bearer(READ)).status_code == 200
    assert readers == ["analyst"]
