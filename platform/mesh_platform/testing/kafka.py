"""A real Kafka broker for a pytest session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mesh_platform.kafka.broker import LocalKafkaBroker
from mesh_platform.kafka.errors import BrokerError
from mesh_platform.testing.ports import free_port


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bootstrap address of a real Kafka broker shared by the whole test session.

    ``KAFKA_BOOTSTRAP_SERVERS`` names a running cluster to use; otherwise the session starts its own broker on free
    ports with a fresh data directory (about 4 s once the jars are cached) and stops it at the end.
    """
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    port = free_port()
    controller_port = free_port()
    while controller_port == port:
        controller_port = free_port()
    broker = LocalKafkaBroker(tmp_path_factory.mktemp("kafka"), port=port, controller_port=controller_port)
    try:
        broker.start()
    except BrokerError as e:
        pytest.fail(f"could not start the test Kafka broker: {e}", pytrace=False)
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()
