"""Whether a Kafka broker serves clients yet: the probe a start-up waits on."""

from __future__ import annotations

import socket

from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs


def answers_metadata(admin: KafkaClientSettings) -> bool:
    """True once the first bootstrap address accepts a connection and answers a metadata request as ``admin``."""
    # A cheap TCP probe first: the admin client logs a warning per refused connection while the JVM boots.
    host, _, port = admin.bootstrap_servers.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            pass
    except OSError:
        return False
    # The listener accepts connections before the broker has caught up with the metadata log; a metadata
    # request that lists topics succeeds only once it serves clients.
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        client = KafkaAdminClient(**kafka_client_kwargs(admin), bootstrap_timeout_ms=3000, request_timeout_ms=3000)
    except (KafkaError, OSError):
        return False
    try:
        client.list_topics()
    except (KafkaError, OSError):
        return False
    finally:
        client.close()
    return True
