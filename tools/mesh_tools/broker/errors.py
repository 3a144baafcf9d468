"""The one exception the Kafka runner raises."""

from __future__ import annotations


class BrokerError(Exception):
    """The local Kafka broker could not be provided.

    The first line of the message says what went wrong and what to do about it (install Java 17 or Maven, free a
    port or pick another with ``KAFKA_PORT``...). When the broker itself failed, the tail of its log follows.
    """
