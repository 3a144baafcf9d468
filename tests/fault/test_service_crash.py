"""SIGKILL a domain service in the middle of a burst: every committed change has exactly one event, and no event
exists without its change — in the outbox at the moment of the crash, and on the topic once it was restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import select

from mesh_platform.kafka.client import kafka_client_kwargs

from .conftest import wait_until
from .ledger import TOPIC, LedgerStore

SERVICE = Path(__file__).with_name("ledger_service.py")


def run_service(mode: str, url: str, broker) -> subprocess.Popen:
    settings = broker.admin_settings
    environ = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
               "KAFKA_SECURITY_PROTOCOL": settings.security_protocol, "KAFKA_SASL_MECHANISM": settings.sasl_mechanism,
               "KAFKA_USERNAME": settings.username or "", "KAFKA_PASSWORD": settings.password.get_secret_value()}
    environ.pop("KAFKA_PASSWORD_FILE", None)
    return subprocess.Popen([sys.executable, str(SERVICE), mode, url], env=environ, start_new_session=True)


def changes_and_events(store: LedgerStore) -> tuple[set[str], Counter]:
    """Committed entry ids, and how many outbox rows announce each entry id."""
    with store.engine.connect() as connection:
        entries = set(connection.execute(select(store.entries.c.entry_id)).scalars())
        announced = Counter(payload["entry_id"] for payload in connection.execute(select(store.tables.outbox.c.payload)).scalars())
    return entries, announced


def topic_event_ids(broker) -> Counter:
    consumer = KafkaConsumer(**kafka_client_kwargs(broker.admin_settings), group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(TOPIC, p) for p in sorted(consumer.partitions_for_topic(TOPIC))]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        seen: Counter = Counter()
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                seen.update(dict(record.headers)["ce_id"].decode() for record in batch)
        return seen
    finally:
        consumer.close()


def test_a_service_killed_mid_burst_leaves_no_change_without_its_event_and_no_event_without_its_change(
    crashable_broker, postgres_url
):
    store = LedgerStore.create(postgres_url)
    outbox = store.tables.outbox
    service = run_service("burst", postgres_url, crashable_broker)
    try:
        wait_until(lambda: store.count(outbox, outbox.c.published_at.is_not(None)) >= 500, 180,
                   "the service published some of its events")
        wait_until(lambda: store.count(store.entries) >= 2_000, 180, "2,000 changes committed")
    finally:
        os.killpg(service.pid, signal.SIGKILL)
        service.wait()

    entries, announced = changes_and_events(store)
    assert set(announced) == entries  # no change without its event, no event without its change
    assert set(announced.values()) == {1}  # exactly one event per change
    unpublished = store.count(outbox, outbox.c.published_at.is_(None))

    restarted = run_service("drain", postgres_url, crashable_broker)
    assert restarted.wait(120) == 0
    assert store.count(outbox, outbox.c.published_at.is_(None)) == 0

    with store.engine.connect() as connection:
        event_ids = set(connection.execute(select(outbox.c.event_id)).scalars())
    on_topic = topic_event_ids(crashable_broker)
    assert set(on_topic) == event_ids  # every event reached the topic, and nothing else did
    resent = sum(count - 1 for count in on_topic.values())
    print(f"\n{len(entries)} changes; {unpublished} unpublished at the crash; {resent} re-sent (same ce_id) after it")
