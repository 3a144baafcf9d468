"""A batch whose local transaction fails is retried — never skipped — and the failure is visible while it lasts."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kafka import TopicPartition
from sqlalchemy.exc import OperationalError
from tenacity import wait_none

from mesh_platform.subscriptions import Subscription
from mesh_tools.testing.events import consumed

from .test_subscription import processed_count, wait_for


@dataclass
class FakeConsumer:
    """The part of kafka-python's ``KafkaConsumer`` a subscription uses, over records held in memory."""

    topic: str
    records: list[Any]
    commits: list[dict] = field(default_factory=list)
    delivered: bool = False

    def poll(self, timeout_ms: int) -> dict:
        if self.delivered:
            time.sleep(timeout_ms / 1000)
            return {}
        self.delivered = True
        return {TopicPartition(self.topic, 0): self.records}

    def commit(self, offsets: dict) -> None:
        self.commits.append(offsets)

    def assignment(self) -> set:
        return {TopicPartition(self.topic, 0)}

    def highwater(self, partition: TopicPartition) -> int:
        return len(self.records)

    def committed(self, partition: TopicPartition) -> int | None:
        return None  # the group never committed here before

    def close(self) -> None:
        pass


class NullDeadLetters:
    def publish(self, record: Any, *, reason: str, consumer_group: str) -> None:
        raise AssertionError(f"nothing should be dead-lettered here: {reason}")

    def close(self) -> None:
        pass


def test_a_failing_batch_is_retried_logged_and_reported_until_it_commits_once(store, events, domain, caplog):
    messages = [
        events.create(product="things", major=1, entity="thing", verb="changed", key=f"k{n}", data={"n": n})
        for n in range(3)
    ]
    records = [consumed(message) for message in messages]
    for offset, record in enumerate(records):
        record.offset = offset
    consumer = FakeConsumer(messages[0].topic, records)
    store_is_back = threading.Event()
    handled: list[str] = []

    def handler(session, message):
        if not store_is_back.is_set():
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        handled.append(message.id)

    group = f"{domain}-retries"
    subscription = Subscription(
        engine=store.engine, tables=store.tables, group_id=group, topics=[consumer.topic],
        handlers={messages[0].type: handler}, bootstrap_servers="unused:9092", dead_letters=NullDeadLetters(),
        consumer_factory=lambda: consumer,
    )
    subscription.retry_wait = wait_none()  # no back-off in the test; the loop itself is what is under test
    caplog.set_level(logging.WARNING, logger="mesh_platform.subscriptions.subscriber")
    subscription.start()
    try:
        assert wait_for(lambda: subscription.health.retries_total >= 3)
        health = subscription.health.as_dict()
        assert health["state"] == "retrying"
        assert health["error"] == "batch: OperationalError"  # what /ready shows anyone: the kind, not the message
        assert "last_error" not in health
        assert "database is locked" in subscription.health.as_dict(detail=True)["last_error"]  # administrators
        assert health["consecutive_failures"] >= 3
        assert health["lag"] == 3  # the stuck events show as lag
        assert consumer.commits == []  # nothing is acknowledged while the events are not stored
        assert any("database is locked" in r.getMessage() and group in r.getMessage() for r in caplog.records)
        assert any(r.exc_info for r in caplog.records)  # the first failure carries its traceback

        store_is_back.set()
        assert wait_for(lambda: processed_count(store, group) == 3)
        assert wait_for(lambda: subscription.health.state == "consuming")
    finally:
        subscription.stop()
    assert handled == [message.id for message in messages]
    assert len(consumer.commits) == 1
    assert subscription.health.total_lag == 0
    assert subscription.health.last_error is None
    assert subscription.health.failing_since is None


@dataclass
class StuckConsumer(FakeConsumer):
    """A consumer whose partition has records it never returns (as a wedged client would)."""

    def poll(self, timeout_ms: int) -> dict:
        time.sleep(0.05)
        return {}


def test_a_consumer_that_keeps_lag_but_returns_nothing_is_rebuilt_and_says_why(store, events, domain, caplog):
    message = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={})
    builds: list[StuckConsumer] = []

    def build() -> StuckConsumer:
        builds.append(StuckConsumer(message.topic, [consumed(message)] * 5))
        return builds[-1]

    subscription = Subscription(
        engine=store.engine, tables=store.tables, group_id=f"{domain}-stuck", topics=[message.topic],
        handlers={message.type: lambda session, m: None}, bootstrap_servers="unused:9092",
        dead_letters=NullDeadLetters(), consumer_factory=build,
    )
    subscription.retry_wait = wait_none()
    subscription.stall_timeout = 0.3
    caplog.set_level(logging.WARNING, logger="mesh_platform.subscriptions.subscriber")
    subscription.start()
    try:
        assert wait_for(lambda: len(builds) >= 3)
    finally:
        subscription.stop()
    assert subscription.health.retries_total >= 2
    assert any("5 records wait on" in r.getMessage() and "rebuilding the consumer" in r.getMessage()
               for r in caplog.records)
