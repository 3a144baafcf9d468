"""The event port's freshness SLI: good/total per product major against the contract's freshness target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import MetaData, insert

from mesh_platform.contracts import ContractRegistry
from mesh_platform.quality.freshness import FreshnessSLI, freshness_targets
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.platform_tables import define_platform_tables

REGISTRY = ContractRegistry.from_directory()
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def row(topic: str, seconds_ago: float):
    return SimpleNamespace(topic=topic, occurred_at=NOW - timedelta(seconds=seconds_ago))


def test_targets_come_from_the_contracts_freshness_sla():
    targets = freshness_targets(REGISTRY, "stats")
    assert {topic: target.seconds for topic, target in targets.items()} == {
        "stats.fighter-records.v1": 300.0, "stats.rankings.v1": 300.0}


def test_events_published_within_the_target_are_good_and_late_ones_are_not():
    sli = FreshnessSLI(freshness_targets(REGISTRY, "roster"))
    sli.observe([row("roster.fighters.v1", 5), row("roster.fighters.v1", 60), row("roster.fighters.v1", 61),
                 row("elsewhere.v1", 999)], now=NOW)
    assert (sli.good["roster.fighters.v1"], sli.total["roster.fighters.v1"]) == (2, 3)
    assert sli.last_latency["roster.fighters.v1"] == 61


def test_the_oldest_waiting_event_shows_late_data_before_it_is_published(tmp_path):
    metadata = MetaData()
    tables = define_platform_tables(metadata)
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    metadata.create_all(engine)
    sli = FreshnessSLI(freshness_targets(REGISTRY, "roster"))
    assert sli.oldest_pending(engine, tables.outbox, now=NOW) == {"roster.fighters.v1": 0.0}
    with engine.begin() as connection:
        for index, (age, published) in enumerate([(600, NOW), (90, None), (30, None)]):
            connection.execute(insert(tables.outbox).values(
                event_id=f"e{index}", topic="roster.fighters.v1", message_key="k", event_type="t", source="s",
                occurred_at=NOW - timedelta(seconds=age), payload={}, published_at=published, attempts=0))
    assert sli.oldest_pending(engine, tables.outbox, now=NOW) == {"roster.fighters.v1": 90.0}
