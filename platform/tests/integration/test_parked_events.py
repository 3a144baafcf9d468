"""Poison events and crashing handlers are parked with the reason; after a fix, re-driving applies each exactly once."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer
from sqlalchemy import insert, select

from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.subscriptions.parked import ParkedEvents

from .test_subscription import processed_count, send, subscription, wait_for

pytestmark = pytest.mark.integration


def test_parked_events_are_listed_with_reasons_and_redriven_once_after_the_fix(store, events, kafka_bootstrap, domain):
    fixed = False

    def handler(session, message):
        if message.data.get("n") == 13 and not fixed:
            raise ValueError("unlucky number")  # a handler bug, fixed below
        session.execute(insert(store.tables.processed_events).values(  # the handler's own state change
            consumer_group="effects", event_id=message.id, event_type=message.type, topic=message.topic,
            processed_at=message.time))

    good = events.create(product="things", major=1, entity="thing", verb="changed", key="a", data={"n": 1})
    crashing = events.create(product="things", major=1, entity="thing", verb="changed", key="b", data={"n": 13})
    after = events.create(product="things", major=1, entity="thing", verb="changed", key="c", data={"n": 2})
    for message in (good, crashing, after):
        send(kafka_bootstrap, message)
    send(kafka_bootstrap, good, value=b"\xff not json", headers=[("ce_id", b"x")])  # a poison record: no envelope

    group = f"{domain}-parking"
    sub = subscription(store, kafka_bootstrap, good.topic, group, {good.type: handler})
    parked = ParkedEvents(sub, lambda: KafkaConsumer(**kafka_client_kwargs(kafka_bootstrap), group_id=None))
    sub.start()
    try:
        assert wait_for(lambda: sub.dead_lettered_total == 2)
        assert wait_for(lambda: processed_count(store, group) == 2)  # the good events went on past the bad ones
        listed = {event.event_type: event for event in parked.list()}
        assert sorted(listed, key=str) == [None, good.type] and not any(e.handled for e in listed.values())
        crashed, poison = listed[good.type], listed[None]
        assert crashed.reason == "handler failed: ValueError: unlucky number"
        assert crashed.event_id == crashing.id and crashed.key == "b"
        assert crashed.source_topic == good.topic and crashed.source_offset >= 0
        assert poison.reason.startswith("invalid envelope: missing CloudEvents header(s)")
        assert parked.show(crashed.partition, crashed.offset).data == {"n": 13}

        still_broken = parked.redrive()  # before the fix: nothing changes, the reasons are reported
        assert still_broken.redriven == []
        assert sorted(failure["reason"] for failure in still_broken.still_failing) == sorted(
            ["handler failed: ValueError: unlucky number", poison.reason])

        fixed = True
        report = parked.redrive()
        assert [event["event_id"] for event in report.redriven] == [crashing.id]
        assert len(report.still_failing) == 1  # the poison record stays parked: no fix can make it an event
        again = parked.redrive()
        assert again.redriven == [] and again.already_handled == 1
    finally:
        sub.stop()
    with store.engine.connect() as connection:  # committed effects, not handler calls a rollback undid
        table = store.tables.processed_events
        effects = connection.execute(select(table.c.event_id).where(table.c.consumer_group == "effects")).scalars()
        assert sorted(effects) == sorted([good.id, after.id, crashing.id])  # each once, the crashed one after the fix
    assert {event.event_type: event.handled for event in parked.list()} == {good.type: True, None: False}
