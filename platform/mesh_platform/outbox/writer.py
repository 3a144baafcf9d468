"""Writes outbox rows inside the caller's transaction."""

from __future__ import annotations

import json

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage


class OutboxWriter:
    """Adds events to the outbox table of a store; never commits (the unit of work does)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, session: Session, message: EventMessage) -> None:
        """Stage ``message`` in ``session``'s transaction so it commits or rolls back with the state change."""
        session.execute(
            insert(self.table).values(
                event_id=message.id,
                topic=message.topic,
                message_key=message.key,
                event_type=message.type,
                source=message.source,
                dataschema=message.dataschema,
                occurred_at=message.time,
                # Round-trip through JSON so dates and decimals are stored as they will be sent.
                payload=json.loads(json.dumps(message.data, default=str)),
                attempts=0,
            )
        )
