"""The dead-letter topic of a subscriber: events it could not handle, with the reason in headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mesh_platform.kafka.client import KafkaClientSettings

DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter_topic(consumer_group: str) -> str:
    """The dead-letter topic of a consumer group, e.g. ``schedule.dlq``."""
    return f"{consumer_group}{DEAD_LETTER_SUFFIX}"


class DeadLetterPublisher:
    """Re-publishes a failed record unchanged (key, value, CloudEvents headers) plus ``dlq_*`` headers.

    Publishing is synchronous: when it fails the exception propagates, the subscription does not commit the
    offset, and the record is consumed again later — a failed event is parked, never dropped.
    """

    def __init__(
        self, bootstrap_servers: str | KafkaClientSettings, producer_factory: Callable[[], Any] | None = None
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.producer_factory = producer_factory or self._kafka_producer
        self._producer: Any = None

    def _kafka_producer(self) -> Any:
        from kafka import KafkaProducer

        from mesh_platform.kafka.client import kafka_client_kwargs

        return KafkaProducer(
            **kafka_client_kwargs(self.bootstrap_servers), acks="all", max_block_ms=10_000, bootstrap_timeout_ms=5_000
        )

    def publish(self, record: Any, *, reason: str, consumer_group: str) -> None:
        """Send ``record`` to the group's dead-letter topic and wait for the acknowledgement."""
        if self._producer is None:
            self._producer = self.producer_factory()
        headers = [(name, value) for name, value in (record.headers or []) if not name.startswith("dlq_")]
        headers += [
            ("dlq_reason", reason.encode()[:4000]),
            ("dlq_source_topic", record.topic.encode()),
            ("dlq_source_partition", str(record.partition).encode()),
            ("dlq_source_offset", str(record.offset).encode()),
            ("dlq_consumer_group", consumer_group.encode()),
        ]
        future = self._producer.send(dead_letter_topic(consumer_group), value=record.value, key=record.key, headers=headers)
        future.get(timeout=15)

    def close(self) -> None:
        """Close the producer."""
        if self._producer is not None:
            self._producer.close(timeout=2)
            self._producer = None
