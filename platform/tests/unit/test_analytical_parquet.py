"""Parquet snapshots are typed by the contract: every product's example record survives the round trip."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mesh_platform.contracts import ContractRegistry, default_contracts_dir
from mesh_platform.contracts.product import DataProductContract
from mesh_platform.http.analytical import AnalyticalPort, UnknownChangeField, arrow_schema, export_snapshot
from mesh_platform.http.data_products import DataProductPort
from mesh_platform.store.product_snapshot import Snapshot

REGISTRY = ContractRegistry.from_directory(default_contracts_dir())
CONTRACTS = [contract for domain in REGISTRY.domains for contract in REGISTRY.for_domain(domain)]


class ListSnapshots:
    """A hand-written snapshot source: fixed records in chunks of two."""

    def __init__(self, records):
        self.records = records
        self.asked_since = None

    @contextmanager
    def snapshot(self, changed_since=None):
        self.asked_since = changed_since
        chunks = (self.records[i:i + 2] for i in range(0, len(self.records), 2))
        yield Snapshot(datetime(2026, 1, 1, tzinfo=UTC), chunks)


def analytical_port(contract, records) -> AnalyticalPort:
    port = DataProductPort(domain=contract.domain, product=contract.product, major=contract.major,
                           key_field=contract.key_field, source=None, pii_fields=frozenset(contract.pii_fields))
    return AnalyticalPort.of(port, ListSnapshots(records), contract)


def as_json(value):
    """What a Parquet value reads back as, in the HTTP port's JSON form."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def normalised(record):
    """Timestamps in one spelling (Z, microseconds as given) so a round trip compares equal."""
    return json.loads(json.dumps(record))


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.id)
def test_every_products_example_record_round_trips_through_the_parquet_snapshot(contract, tmp_path):
    record = contract.example_record()
    analytical = analytical_port(contract, [record] * 3)
    exported = export_snapshot(analytical, "parquet", lambda r: r, directory=str(tmp_path))
    table = pq.read_table(exported.path)
    os.unlink(exported.path)
    assert exported.rows == 3 and table.num_rows == 3
    assert table.schema.remove_metadata() == arrow_schema(contract).remove_metadata()
    read_back = as_json(table.to_pylist()[0])
    for spec in contract.fields:
        expected = record[spec.name]
        if spec.logical_type == "timestamp" and expected is not None:
            expected = datetime.fromisoformat(expected).astimezone(UTC).isoformat().replace("+00:00", "Z")
        assert normalised(read_back[spec.name]) == normalised(expected), spec.name


def test_the_schema_carries_the_contract_and_types_nested_fields():
    bout_results = REGISTRY.get("results", "bout-results", 1)
    schema = arrow_schema(bout_results)
    assert schema.metadata[b"contract"] == b"results.bout-results"
    scores = next(spec for spec in bout_results.fields if spec.logical_type == "array")
    assert pa.types.is_list(schema.field(scores.name).type)


def test_personal_data_columns_are_nullable_whatever_the_contract_requires():
    fighters = REGISTRY.get("roster", "fighters", 1)
    assert arrow_schema(fighters).field("date_of_birth").nullable


def test_incremental_snapshots_ask_the_source_for_changes_of_the_contracts_change_field():
    fighters = REGISTRY.get("roster", "fighters", 1)
    analytical = analytical_port(fighters, [])
    since = datetime(2026, 1, 1, tzinfo=UTC)
    exported = export_snapshot(analytical, "ndjson", lambda r: r, since)
    os.unlink(exported.path)
    assert analytical.change_field == "updated_at"
    assert analytical.snapshots.asked_since == ("updated_at", since)
    assert exported.rows == 0 and exported.size == 0


def test_a_change_field_that_is_no_timestamp_of_the_record_is_refused():
    document = json.loads(json.dumps(REGISTRY.get("roster", "fighters", 1).document))
    server = next(s for s in document["servers"] if s.get("id") == "analytical")
    server["customProperties"][0]["value"] = "name"

    with pytest.raises(UnknownChangeField, match="'name' is not a timestamp field"):
        analytical_port(DataProductContract.from_document(document, "test"), [])
