"""A consumer-group rebalance in the middle of a batch causes no duplicate effect."""

from __future__ import annotations

import time

from kafka import KafkaProducer

from mesh_platform.events.envelope import kafka_headers, to_kafka_message
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.subscriptions import Subscription
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher

from .conftest import wait_until
from .ledger import EVENT_TYPE, TOPIC, LedgerStore

EVENTS = 3_000


def test_instances_joining_and_leaving_mid_batch_apply_every_event_exactly_once(crashable_broker, postgres_url):
    connection = crashable_broker.admin_settings
    sink = LedgerStore.create(postgres_url)
    producer = KafkaProducer(**kafka_client_kwargs(connection), acks="all")
    for n in range(EVENTS):
        message = to_kafka_message(sink.events.create(
            product="entries", major=1, entity="entry", verb="recorded", key=f"account-{n % 30}",
            data={"entry_id": str(n), "account": f"account-{n % 30}", "amount": 1}))
        producer.send(TOPIC, value=message.value, key=f"account-{n % 30}".encode(), headers=kafka_headers(message))
    producer.flush()
    producer.close()

    def slow_handler(session, message):
        time.sleep(0.002)  # batches take long enough for a rebalance to land in the middle of one
        sink.add_to_totals(session, message)

    def instance() -> Subscription:
        subscription = Subscription(
            engine=sink.engine, tables=sink.tables, group_id="totals", topics=[TOPIC],
            handlers={EVENT_TYPE: slow_handler}, bootstrap_servers=connection,
            dead_letters=DeadLetterPublisher(connection),
        )
        subscription.start()
        return subscription

    def handled() -> int:
        return sum(events for _amount, events in sink.totals_by_account().values())

    first = instance()
    wait_until(lambda: handled() >= 300, 120, "the first instance handled some events")
    second = instance()  # joins: the group rebalances while the first is inside a batch
    wait_until(lambda: handled() >= 1_200, 120, "both instances share the work")
    first.stop()  # leaves mid-stream: its partitions move to the second, uncommitted records are re-delivered
    third = instance()
    wait_until(lambda: sink.count(sink.tables.processed_events) >= EVENTS, 240, "every event handled")
    time.sleep(3)  # a duplicate delivery after a rebalance would land now
    for subscription in (second, third):
        subscription.stop()

    assert handled() == EVENTS  # each event had its effect exactly once, across three rebalances
    assert sum(amount for amount, _events in sink.totals_by_account().values()) == EVENTS
    assert sink.count(sink.tables.processed_events) == EVENTS
