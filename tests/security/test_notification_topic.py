"""The catalog's notification topic on the real broker (SASL/SCRAM + ACLs from the event plane): the catalog's
principal publishes its CloudEvents there, every domain may read them, and no domain can forge one."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import TopicAuthorizationFailedError

from catalog.adapters.notification_dispatch import KafkaPublisher
from mesh_platform.events.envelope import EventMessage
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.kafka.event_plane import NOTIFICATIONS_TOPIC

pytestmark = pytest.mark.integration


def notification(subject: str) -> EventMessage:
    return EventMessage(id=str(uuid.uuid4()), type="octagon.catalog.incident.opened.v1", source="/catalog",
                        topic=NOTIFICATIONS_TOPIC, key=subject, time=datetime.now(UTC),
                        data={"kind": "incident.opened", "domain": "roster", "product": "fighters", "major": 1})


def read_key(settings, key: bytes, timeout_ms: int = 15000) -> list:
    consumer = KafkaConsumer(NOTIFICATIONS_TOPIC, **kafka_client_kwargs(settings), group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=timeout_ms)
    try:
        return [record for record in consumer if record.key == key][:1]
    finally:
        consumer.close()


@pytest.mark.parametrize("reader", ["stats", "schedule"])
def test_the_catalog_publishes_notifications_that_every_domain_reads(kafka_event_plane, reader):
    publisher = KafkaPublisher(lambda: kafka_client_kwargs(kafka_event_plane.principal("catalog")))
    subject = f"roster/fighters-{uuid.uuid4().hex[:8]}"
    try:
        publisher.publish(notification(subject))
    finally:
        publisher.close()
    [record] = read_key(kafka_event_plane.principal(reader), subject.encode())
    headers = dict(record.headers)
    assert headers["ce_type"] == b"octagon.catalog.incident.opened.v1"
    assert headers["ce_source"] == b"/catalog"
    assert json.loads(record.value)["product"] == "fighters"


def test_no_domain_can_forge_a_notification(kafka_event_plane):
    producer = KafkaProducer(**kafka_client_kwargs(kafka_event_plane.principal("roster")), max_block_ms=5000)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(NOTIFICATIONS_TOPIC, key=b"roster/fighters", value=b"{}").get(10)
    finally:
        producer.close(timeout=2)
