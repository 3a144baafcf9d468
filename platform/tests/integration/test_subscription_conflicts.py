"""A handler's insert that meets a row another writer committed a moment before is applied, not dead-lettered.

Seen in the scale-out test: results inserted a bout into its replica that its own HTTP lookup (or the other
instance) had just stored, and the event was parked with ``UniqueViolation``. PostgreSQL only: SQLite lets one
writer at a time, so there the race cannot happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update
from tenacity import wait_none

from mesh_platform.subscriptions import Subscription
from mesh_tools.testing.events import consumed

from .conftest import Store
from .test_subscription import processed_count, wait_for
from .test_subscription_retries import FakeConsumer

pytestmark = pytest.mark.integration


@dataclass
class RecordedDeadLetters:
    reasons: dict[str, str] = field(default_factory=dict)

    def publish(self, record: Any, *, reason: str, consumer_group: str) -> None:
        self.reasons[dict(record.headers)["ce_id"].decode()] = reason

    def close(self) -> None:
        pass


def test_a_row_inserted_concurrently_is_updated_by_the_next_attempt_instead_of_parking_the_event(
    postgres_url, events, domain
):
    store = Store(postgres_url)
    replica = Table("thing_replica", MetaData(), Column("key", String, primary_key=True), Column("version", Integer))
    replica.create(store.engine)
    refused = events.create(product="things", major=1, entity="thing", verb="changed", key="bad", data={"n": 1})
    raced = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={"n": 2})
    races: list[str] = []

    def upsert(session, message):
        if message.key == "bad":
            raise LookupError("thing bad is unknown")  # sends the batch down the one-savepoint-per-event path
        found = session.execute(select(replica.c.version).where(replica.c.key == message.key)).first()
        if found is None and session.in_nested_transaction() and not races:
            # Another writer stores the same row and commits between this handler's read and its insert.
            with store.engine.begin() as other:
                other.execute(insert(replica).values(key=message.key, version=0))
            races.append(message.id)
        if found is None:
            session.execute(insert(replica).values(key=message.key, version=message.data["n"]))
        else:
            session.execute(update(replica).where(replica.c.key == message.key).values(version=message.data["n"]))

    records = [consumed(refused), consumed(raced)]
    for offset, record in enumerate(records):
        record.offset = offset
    dead_letters = RecordedDeadLetters()
    group = f"{domain}-conflicts"
    subscription = Subscription(
        engine=store.engine, tables=store.tables, group_id=group, topics=[raced.topic],
        handlers={raced.type: upsert}, bootstrap_servers="unused:9092", dead_letters=dead_letters,
        consumer_factory=lambda: FakeConsumer(raced.topic, records),
    )
    subscription.retry_wait = wait_none()
    subscription.start()
    try:
        assert wait_for(lambda: processed_count(store, group) == 1)
    finally:
        subscription.stop()
        store.engine.dispose()
    assert races == [raced.id]  # the race did happen
    assert dead_letters.reasons == {refused.id: "handler failed: LookupError: thing bad is unknown"}
    with store.engine.connect() as connection:
        assert connection.execute(select(replica.c.key, replica.c.version)).all() == [("k", 2)]
