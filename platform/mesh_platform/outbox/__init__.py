"""Transactional outbox: events are written with the state change, then relayed to Kafka."""

from mesh_platform.outbox.relay import OutboxRelay
from mesh_platform.outbox.writer import OutboxWriter

__all__ = ["OutboxRelay", "OutboxWriter"]
