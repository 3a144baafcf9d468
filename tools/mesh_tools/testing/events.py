"""Handing events to a service's subscription in-process, as the broker would, for tests without a broker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mesh_platform.events.envelope import EventMessage, kafka_headers, to_kafka_message


@dataclass
class ConsumedRecord:
    """A Kafka record as a subscription reads it (the attributes of kafka-python's ``ConsumerRecord`` it uses)."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    partition: int = 0
    offset: int = 0


def consumed(message: EventMessage) -> ConsumedRecord:
    """``message`` encoded as the broker would deliver it (CloudEvents binary mode)."""
    encoded = to_kafka_message(message)
    key = encoded.key if isinstance(encoded.key, bytes) else str(encoded.key).encode()
    return ConsumedRecord(message.topic, key, encoded.value, kafka_headers(encoded))


def deliver(app: Any, *messages: EventMessage) -> None:
    """Have the domain service behind FastAPI ``app`` handle ``messages``, each by the subscription of its topic.

    Fails the test when no subscription takes the topic or the store refused the event.
    """
    subscriptions = app.state.domain_service.subscriptions
    for message in messages:
        subscription = next((s for s in subscriptions if message.topic in s.topics), None)
        assert subscription is not None, f"{app.title} subscribes to no topic {message.topic!r}"
        assert subscription.process(consumed(message)), f"the store did not take event {message.id}"
