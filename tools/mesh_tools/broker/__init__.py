"""A real Apache Kafka broker for development and tests: jars from Maven Central, run on the local JVM.

``LocalKafkaBroker`` starts a single-node KRaft broker, ``KafkaDistribution`` provides its cached classpath,
``ensure_topics`` creates data-product topics that keep their history, ``BrokerSettings`` reads the environment.
"""

from mesh_tools.broker.broker import LocalKafkaBroker
from mesh_tools.broker.distribution import DEFAULT_KAFKA_VERSION, KafkaDistribution
from mesh_tools.broker.errors import BrokerError
from mesh_tools.broker.settings import BrokerSettings
from mesh_tools.broker.topics import ensure_topics

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "BrokerError",
    "BrokerSettings",
    "KafkaDistribution",
    "LocalKafkaBroker",
    "ensure_topics",
]
