"""Creating topics that keep their history, idempotently (for topics no contract declares, e.g. in tests).

The mesh's own topics are provisioned from the contracts by :mod:`mesh_tools.event_plane.provisioning`.
"""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.errors import TopicAlreadyExistsError, for_code

from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs

# Data-product topics keep their history so a new subscriber can replay from the start: no time- or size-based
# deletion, whatever the broker's defaults (7 days on a stock broker).
KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}


def ensure_topics(bootstrap_servers: str | KafkaClientSettings, topics: list[str], partitions: int = 3) -> list[str]:
    """Create those of ``topics`` that do not exist yet, with ``partitions`` partitions and unlimited retention.

    Existing topics are left as they are (their partitions and configs are not changed). The replication factor is
    the cluster's ``default.replication.factor``, 1 on the local broker. ``bootstrap_servers`` is a connection or
    an address whose credentials come from the environment; the principal needs CREATE on the cluster. Returns the names created by this call,
    and only after every partition of them has a leader, so a producer can use them at once.
    """
    if not topics:
        return []
    requested = {
        topic: {"num_partitions": partitions, "replication_factor": -1, "configs": dict(KEEP_FOREVER)}
        for topic in dict.fromkeys(topics)
    }
    with KafkaAdminClient(**kafka_client_kwargs(bootstrap_servers)) as admin:
        # Per-topic error codes instead of exceptions: with one exception for the first existing topic we could not
        # tell which of the others were created.
        response = admin.create_topics(requested, raise_errors=False)
        created = []
        for result in response["topics"]:
            error = for_code(result["error_code"])
            if result["error_code"] == 0:
                created.append(result["name"])
            elif error is not TopicAlreadyExistsError:
                raise error(f"creating topic {result['name']}: {result.get('error_message')}")
        if created:
            admin.wait_for_topics(created)
    return created
