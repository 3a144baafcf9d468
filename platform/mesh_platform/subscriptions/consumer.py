"""The Kafka consumer a subscription reads with: its group, manual commits, history from the start."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mesh_platform.kafka.client import KafkaClientSettings


def group_consumer(bootstrap_servers: str | KafkaClientSettings, group_id: str, topics: list[str]) -> Any:
    """A ``KafkaConsumer`` of ``group_id`` subscribed to ``topics``; raises while the broker cannot be reached or a
    topic is not visible to this principal (the subscription's run loop retries with back-off)."""
    from kafka import KafkaConsumer

    from mesh_platform.kafka.client import kafka_client_kwargs

    consumer = KafkaConsumer(
        **kafka_client_kwargs(bootstrap_servers),
        # Topic metadata refreshed every few seconds (the default is five minutes): partitions added or
        # leaders moved are seen promptly.
        metadata_max_age_ms=5_000,
        group_id=group_id,
        enable_auto_commit=False,
        # A new subscriber starts from the beginning of the product's history.
        auto_offset_reset="earliest",
        # A poll hands the subscription up to 500 records, handled in one local transaction and one offset
        # commit: under load the per-batch costs (transaction, commit round trip) are shared by many events.
        max_poll_records=500,
        # Latency: the broker answers a fetch as soon as one record waits (fetch_min_bytes=1), so an event is
        # fetched the moment it is appended; fetch_max_wait_ms only bounds how long an idle fetch is parked at
        # the broker (and the poll timeout how long an idle subscription sleeps), never how long an event waits.
        fetch_min_bytes=1,
        fetch_max_wait_ms=500,
        bootstrap_timeout_ms=5_000,
    )
    # Brokers never auto-create topics. A group member subscribed to a topic that appears later can stall in
    # kafka-python's rejoin (seen with 3.0.12: assignment never completes), so the consumer subscribes only
    # once every topic is visible to this principal; until then this raises and the run loop retries with
    # back-off (at most 10 s), so a topic provisioned after the subscription started is consumed within seconds.
    missing = sorted(set(topics) - consumer.topics())
    if missing:
        consumer.close()
        raise LookupError(f"topics {missing} do not exist or are not granted to this principal (yet)")
    consumer.subscribe(topics)
    return consumer

