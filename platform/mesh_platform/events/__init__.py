"""Events as CloudEvents 1.0 in Kafka binary mode (DESIGN §5)."""

from mesh_platform.events.envelope import EventMessage, InvalidEnvelope, from_kafka_record, to_kafka_message
from mesh_platform.events.factory import EventFactory

__all__ = ["EventFactory", "EventMessage", "InvalidEnvelope", "from_kafka_record", "to_kafka_message"]
