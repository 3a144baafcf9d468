import threading
from collections import defaultdict

import pytest
from kafka.errors import KafkaError
from sqlalchemy import func, select

from mesh_platform.outbox.relay import OutboxRelay, kafka_producer_factory
from mesh_tools.testing.kafka import consume
from mesh_tools.testing.ports import free_port

pytestmark = pytest.mark.integration


def write_events(store, events, keys, per_key):
    sent = defaultdict(list)
    with store.unit_of_work() as uow:
        for sequence in range(per_key):
            for key in keys:
                message = events.create(product="things", major=1, entity="thing", verb="changed", key=key,
                                        data={"key": key, "sequence": sequence})
                uow.publish(message)
                sent[key].append(message.id)
        uow.commit()
    return sent


def drain(relay):
    while relay.relay_once():
        pass


def unpublished(store):
    with store.engine.connect() as connection:
        table = store.tables.outbox
        return connection.execute(select(func.count()).where(table.c.published_at.is_(None))).scalar_one()


def test_committed_events_reach_kafka_in_order_per_key(store, events, kafka_bootstrap, things_topic):
    sent = write_events(store, events, ["k1", "k2", "k3"], per_key=10)
    relay = OutboxRelay(store.engine, store.tables.outbox, kafka_producer_factory(kafka_bootstrap, "test"), batch_size=7)
    drain(relay)
    relay.stop()
    records = consume(kafka_bootstrap, f"{events.domain}.things.v1", expected=30)
    received = defaultdict(list)
    for record in records:
        received[record.key.decode()].append(dict(record.headers)["ce_id"].decode())
    assert dict(received) == dict(sent)
    assert unpublished(store) == 0


def test_rolled_back_change_leaves_no_event(store, events):
    with store.unit_of_work() as uow:
        uow.publish(events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={}))
        # leaving the block without commit rolls back
    assert unpublished(store) == 0


def test_broker_outage_delays_events_but_loses_none(store, events, kafka_bootstrap, things_topic):
    sent = write_events(store, events, ["k"], per_key=3)
    dead_broker = f"127.0.0.1:{free_port()}"
    down = OutboxRelay(store.engine, store.tables.outbox, kafka_producer_factory(dead_broker, "test"), send_timeout=2)
    with pytest.raises(KafkaError):
        down.relay_once()
    assert unpublished(store) == 3
    with store.engine.connect() as connection:
        errors = connection.execute(select(store.tables.outbox.c.last_error)).scalars().all()
    assert all(errors)

    back = OutboxRelay(store.engine, store.tables.outbox, kafka_producer_factory(kafka_bootstrap, "test"))
    drain(back)
    back.stop()
    records = consume(kafka_bootstrap, f"{events.domain}.things.v1", expected=3)
    assert [dict(r.headers)["ce_id"].decode() for r in records] == sent["k"]


def test_relay_thread_publishes_after_a_commit_wakes_it(store, events, kafka_bootstrap, things_topic):
    relay = OutboxRelay(store.engine, store.tables.outbox, kafka_producer_factory(kafka_bootstrap, "test"),
                        poll_interval=5.0)
    relay.start()
    try:
        sent = write_events(store, events, ["k"], per_key=1)
        relay.wake()
        records = consume(kafka_bootstrap, f"{events.domain}.things.v1", expected=1, timeout=10)
    finally:
        relay.stop()
    assert [dict(r.headers)["ce_id"].decode() for r in records] == sent["k"]


def test_two_relays_never_publish_the_same_row(postgres_url, events, kafka_bootstrap, things_topic):
    from .conftest import Store

    store = Store(postgres_url)
    sent = write_events(store, events, [f"k{i}" for i in range(20)], per_key=10)
    relays = [
        OutboxRelay(store.engine, store.tables.outbox, kafka_producer_factory(kafka_bootstrap, f"r{i}"), batch_size=15)
        for i in range(2)
    ]
    threads = [threading.Thread(target=drain, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for relay in relays:
        relay.stop()
    drain(relays[0])  # rows a relay skipped because the other held an earlier row of the key
    records = consume(kafka_bootstrap, f"{events.domain}.things.v1", expected=200)
    ids = [dict(r.headers)["ce_id"].decode() for r in records]
    assert len(ids) == 200 and len(set(ids)) == 200
    received = defaultdict(list)
    for record in records:
        received[record.key.decode()].append(dict(record.headers)["ce_id"].decode())
    assert dict(received) == dict(sent)
    assert relays[0].published_total + relays[1].published_total == 200
    store.engine.dispose()
