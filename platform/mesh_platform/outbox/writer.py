"""Writes outbox rows inside the caller's transaction.

Profiled on roster's ``POST /fighters`` (py-spy, SQLite): building ``insert(table).values(...)`` per event (a new
statement, its cache key, its bind parameters) and encoding the data twice (a JSON round trip, then the JSON
column's own ``json.dumps``) were most of the outbox write. The writer now holds one prepared statement whose
``payload`` parameter takes the data's JSON text as is, encoded once, and writes many rows with one ``executemany``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Insert, Table, Text, bindparam, cast, insert
from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage


class OutboxWriter:
    """Adds events to the outbox table of a store; never commits (the unit of work does)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._statements: dict[str, Insert] = {}

    def add(self, session: Session, message: EventMessage) -> None:
        """Stage ``message`` in ``session``'s transaction so it commits or rolls back with the state change."""
        session.execute(self._statement(session), row_of(message))

    def add_many(self, session: Session, messages: Iterable[EventMessage]) -> None:
        """Stage ``messages`` in ``session``'s transaction, in order, with one ``executemany``."""
        rows = [row_of(message) for message in messages]
        if rows:
            session.execute(self._statement(session), rows)

    def staged(self) -> StagedOutbox:
        """A writer that only collects messages until :meth:`StagedOutbox.write` (batches write once per chunk)."""
        return StagedOutbox(self)

    def _statement(self, session: Session) -> Insert:
        # One prepared statement per dialect. The payload arrives as JSON text: PostgreSQL casts it to the column's
        # JSON type; SQLite stores JSON as text anyway. Either way the column's own serializer is not run again.
        dialect = session.get_bind().dialect.name
        statement = self._statements.get(dialect)
        if statement is None:
            text = bindparam("payload", type_=Text)
            payload = cast(text, JSON) if dialect == "postgresql" else text
            statement = self._statements[dialect] = insert(self.table).values(payload=payload)
        return statement


class StagedOutbox(OutboxWriter):
    """Collects a unit of work's events in memory; :meth:`write` stages them all in one ``executemany``.

    Stands in for the :class:`OutboxWriter` of a unit of work whose caller writes many commands' rows at once
    (the batch route): messages are kept in order and nothing reaches the session until :meth:`write`.
    """

    def __init__(self, writer: OutboxWriter) -> None:
        super().__init__(writer.table)
        self._statements = writer._statements  # the same prepared statements
        self.messages: list[EventMessage] = []

    def add(self, session: Session, message: EventMessage) -> None:
        """Keep ``message`` for the next :meth:`write` (``session`` is the one it will be written in)."""
        self.messages.append(message)

    def write(self, session: Session) -> None:
        """Stage every kept message in ``session``'s transaction and forget them."""
        messages, self.messages = self.messages, []
        self.add_many(session, messages)


def row_of(message: EventMessage) -> dict[str, Any]:
    """The outbox row of ``message``: its attributes and its data as the JSON text the relay will send."""
    return {
        "event_id": message.id,
        "topic": message.topic,
        "message_key": message.key,
        "event_type": message.type,
        "source": message.source,
        "dataschema": message.dataschema,
        "occurred_at": message.time,
        # Encoded once, here: dates and decimals are stored as the text they will be sent as.
        "payload": json.dumps(message.data, default=str),
        "attempts": 0,
    }
