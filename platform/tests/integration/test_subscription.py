import time

import pytest
from kafka import KafkaProducer
from sqlalchemy import func, insert, select

from mesh_platform.events.envelope import kafka_headers, to_kafka_message
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.subscriptions import Subscription
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher, dead_letter_topic
from mesh_tools.testing.kafka import consume, provision_test_topics

pytestmark = pytest.mark.integration


def send(bootstrap, message, value=None, headers=None):
    encoded = to_kafka_message(message)
    provision_test_topics(bootstrap, message.topic)
    producer = KafkaProducer(**kafka_client_kwargs(bootstrap))
    producer.send(message.topic, value=encoded.value if value is None else value, key=message.key.encode(),
                  headers=kafka_headers(encoded) if headers is None else headers).get(10)
    producer.close()


def subscription(store, kafka_bootstrap, topic, group, handlers, validator=None):
    provision_test_topics(kafka_bootstrap, topic, dead_letter_topic(group))
    return Subscription(
        engine=store.engine, tables=store.tables, group_id=group, topics=[topic], handlers=handlers,
        bootstrap_servers=kafka_bootstrap, dead_letters=DeadLetterPublisher(kafka_bootstrap), validator=validator,
    )


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def processed_count(store, group):
    with store.engine.connect() as connection:
        table = store.tables.processed_events
        return connection.execute(select(func.count()).where(table.c.consumer_group == group)).scalar_one()


def test_redelivered_event_is_handled_once(store, events, kafka_bootstrap, domain):
    handled = []

    def handler(session, message):
        handled.append(message.id)
        session.execute(insert(store.tables.processed_events).values(  # a state change in the same transaction
            consumer_group="side-effect", event_id=message.id, event_type=message.type, topic=message.topic,
            processed_at=message.time))

    message = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={"n": 1})
    send(kafka_bootstrap, message)
    send(kafka_bootstrap, message)  # the same ce_id again, as a producer retry would
    follower = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={"n": 2})
    send(kafka_bootstrap, follower)
    sub = subscription(store, kafka_bootstrap, message.topic, f"{domain}-group", {message.type: handler})
    sub.start()
    try:
        assert wait_for(lambda: processed_count(store, f"{domain}-group") == 2)
        time.sleep(0.5)
    finally:
        sub.stop()
    assert handled == [message.id, follower.id]
    assert processed_count(store, "side-effect") == 2


def test_new_subscriber_starts_from_the_beginning_of_the_topic(store, events, kafka_bootstrap, domain):
    early = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={})
    send(kafka_bootstrap, early)
    seen = []
    sub = subscription(store, kafka_bootstrap, early.topic, f"{domain}-late", {early.type: lambda s, m: seen.append(m.id)})
    sub.start()
    try:
        assert wait_for(lambda: seen == [early.id])
    finally:
        sub.stop()


def test_event_without_envelope_goes_to_the_dead_letter_topic_with_the_reason(store, events, kafka_bootstrap, domain):
    good = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={})
    send(kafka_bootstrap, good, headers=[("content-type", b"application/json")])
    group = f"{domain}-dlq"
    sub = subscription(store, kafka_bootstrap, good.topic, group, {good.type: lambda s, m: None})
    sub.start()
    try:
        parked = consume(kafka_bootstrap, dead_letter_topic(group), expected=1)
    finally:
        sub.stop()
    headers = dict(parked[0].headers)
    assert b"invalid envelope" in headers["dlq_reason"] and b"ce_id" in headers["dlq_reason"]
    assert headers["dlq_source_topic"] == good.topic.encode()
    assert parked[0].value == b"{}"


def test_event_breaking_the_contract_is_dead_lettered_and_the_next_one_still_handled(store, events, kafka_bootstrap, domain):
    def validator(message):
        if "name" not in message.data:
            raise ValueError("data.name: is required")

    bad = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={})
    good = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={"name": "x"})
    send(kafka_bootstrap, bad)
    send(kafka_bootstrap, good)
    handled = []
    group = f"{domain}-contract"
    sub = subscription(store, kafka_bootstrap, bad.topic, group, {bad.type: lambda s, m: handled.append(m.id)}, validator)
    sub.start()
    try:
        parked = consume(kafka_bootstrap, dead_letter_topic(group), expected=1)
        assert wait_for(lambda: handled == [good.id])
    finally:
        sub.stop()
    assert dict(parked[0].headers)["dlq_reason"] == b"contract violation: data.name: is required"
    assert dict(parked[0].headers)["ce_id"] == bad.id.encode()


def test_event_the_handler_refuses_is_dead_lettered_with_the_handlers_reason(store, events, kafka_bootstrap, domain):
    def handler(session, message):
        raise LookupError("bout b-1 is unknown")

    message = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={})
    send(kafka_bootstrap, message)
    group = f"{domain}-refuse"
    sub = subscription(store, kafka_bootstrap, message.topic, group, {message.type: handler})
    sub.start()
    try:
        parked = consume(kafka_bootstrap, dead_letter_topic(group), expected=1)
    finally:
        sub.stop()
    assert dict(parked[0].headers)["dlq_reason"] == b"handler failed: LookupError: bout b-1 is unknown"
    assert processed_count(store, group) == 0
