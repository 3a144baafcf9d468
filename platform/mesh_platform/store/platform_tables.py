"""Tables the platform keeps in every service's own store.

They are defined on the service's own ``MetaData`` so each domain's Alembic migrations create them beside the
domain's tables, and the outbox row commits in the same transaction as the state change it announces.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects import sqlite

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_ROW_ID = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


@dataclass(frozen=True)
class PlatformTables:
    """The outbox, processed-event and idempotency tables of one store."""

    outbox: Table
    processed_events: Table
    idempotency_keys: Table


def define_platform_tables(metadata: MetaData) -> PlatformTables:
    """Add the platform's tables to a service's metadata and return them."""
    outbox = Table(
        "outbox_messages",
        metadata,
        Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(255), nullable=False),
        Column("message_key", String(255), nullable=False),
        Column("event_type", String(255), nullable=False),
        Column("source", String(255), nullable=False),
        Column("dataschema", String(1024), nullable=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    processed_events = Table(
        "processed_events",
        metadata,
        Column("consumer_group", String(255), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(255), nullable=False),
        Column("topic", String(255), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    idempotency_keys = Table(
        "idempotency_keys",
        metadata,
        Column("key", String(255), primary_key=True),
        Column("operation", String(255), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response_body", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    return PlatformTables(outbox=outbox, processed_events=processed_events, idempotency_keys=idempotency_keys)
