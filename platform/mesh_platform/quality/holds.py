"""Events held back by quality rules: the ``quality_holds`` table of a service's own store.

A hold never moves or deletes an outbox row. The held event, and the events behind it that must keep their order,
stay in the outbox unpublished; the hold names them by position:

* ``block``: the held event and every later event of its **topic** (the product's stream stops there);
* ``quarantine``: the held event and every later event of the same **key** on its topic (other keys flow).

Releasing a hold (an owner's decision, with a reason) lets the relay publish them in their original order; the
released event is published as it is, without being checked again. The table belongs to the platform and lives
beside the outbox it refers to; the platform's own Alembic revisions create it
(:func:`mesh_platform.store.migrations.upgrade_platform_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    and_,
    false,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import sqlite

from mesh_platform.store.migrations import upgrade_platform_tables

_ROW_ID = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")

HOLDS = Table(
    "quality_holds",
    MetaData(),
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("outbox_id", BigInteger, nullable=False),
    Column("event_id", String(64), nullable=False, index=True),
    Column("event_type", String(255), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("message_key", String(255), nullable=False),
    Column("action", String(16), nullable=False),
    Column("rules", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=True),
    Column("released_by", String(255), nullable=True),
    Column("release_reason", Text, nullable=True),
)


class HoldNotFound(LookupError):
    """No hold with that id, or it is no longer held."""


@dataclass(frozen=True)
class Hold:
    """One held event and why."""

    id: int
    outbox_id: int
    event_id: str
    event_type: str
    topic: str
    message_key: str
    action: str
    rules: list[str]
    reason: str
    status: str
    held_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = dict(self.__dict__)
        for name in ("held_at", "released_at"):
            data[name] = data[name].isoformat() if data[name] else None
        data["holds_back"] = (
            f"every later event of topic {self.topic}" if self.action == "block"
            else f"later events of key {self.message_key} on {self.topic}"
        )
        return data


class HoldStore:
    """Reads and writes ``quality_holds`` (in the caller's transaction where one is given)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_table(self) -> None:
        """Bring the platform's quality tables (this one among them) to their newest Alembic revision.

        Instances starting together take turns (the migration lock); a store whose table predates the revision
        keeps it as it is.
        """
        upgrade_platform_tables(self.engine)

    def exclusion(self, connection: Connection, outbox: Table) -> ColumnElement[bool] | None:
        """The condition on ``outbox`` rows that active holds keep from being claimed, or None if nothing is held."""
        held = connection.execute(
            select(HOLDS.c.topic, HOLDS.c.message_key, HOLDS.c.action, HOLDS.c.outbox_id).where(HOLDS.c.status == "held")
        ).all()
        if not held:
            return None
        return or_(false(), *(held_rows(outbox, *row) for row in held))

    def add(self, connection: Connection, row: Any, action: str, rules: list[str], reason: str) -> None:
        """Hold outbox ``row`` (in the relay's claim transaction)."""
        connection.execute(
            insert(HOLDS).values(
                outbox_id=row.id, event_id=row.event_id, event_type=row.event_type, topic=row.topic,
                message_key=row.message_key, action=action, rules=rules, reason=reason[:4000], status="held",
                held_at=datetime.now(UTC),
            )
        )

    def released_event_ids(self, connection: Connection, event_ids: list[str]) -> set[str]:
        """Which of ``event_ids`` an owner released (they go out without being checked again)."""
        if not event_ids:
            return set()
        return set(
            connection.execute(
                select(HOLDS.c.event_id).where(HOLDS.c.event_id.in_(event_ids), HOLDS.c.status == "released")
            ).scalars()
        )

    def list(self, status: str | None = None) -> list[Hold]:
        """Holds, newest first (only those with ``status`` if given)."""
        query = select(HOLDS).order_by(HOLDS.c.id.desc())
        if status is not None:
            query = query.where(HOLDS.c.status == status)
        with self.engine.connect() as connection:
            return [_hold(row) for row in connection.execute(query).mappings()]

    def get(self, hold_id: int) -> Hold:
        """One hold; :class:`HoldNotFound` if there is none with ``hold_id``."""
        with self.engine.connect() as connection:
            row = connection.execute(select(HOLDS).where(HOLDS.c.id == hold_id)).mappings().first()
        if row is None:
            raise HoldNotFound(f"no quality hold {hold_id}")
        return _hold(row)

    def release(self, hold_id: int, *, by: str, reason: str) -> Hold:
        """Release a held hold; :class:`HoldNotFound` if it is unknown or not held any more."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(HOLDS)
                .where(HOLDS.c.id == hold_id, HOLDS.c.status == "held")
                .values(status="released", released_at=datetime.now(UTC), released_by=by, release_reason=reason)
            ).rowcount
        if not changed:
            raise HoldNotFound(f"no quality hold {hold_id} is held")
        return self.get(hold_id)

    def count_held(self) -> int:
        """How many holds are active."""
        with self.engine.connect() as connection:
            return len(connection.execute(select(HOLDS.c.id).where(HOLDS.c.status == "held")).all())


def held_rows(outbox: Table, topic: str, message_key: str, action: str, outbox_id: int) -> ColumnElement[bool]:
    """The outbox rows one hold keeps back."""
    condition = and_(outbox.c.topic == topic, outbox.c.id >= outbox_id)
    if action == "quarantine":
        condition = and_(condition, outbox.c.message_key == message_key)
    return condition


def _hold(row: Any) -> Hold:
    return Hold(**{column.name: row[column.name] for column in HOLDS.columns})
