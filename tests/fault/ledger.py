"""A minimal domain for fault tests: a ledger whose entries are announced through the platform's outbox.

Each command records one entry (account, amount) and its ``entry.recorded`` event in one unit of work, exactly as a
domain's command does; a subscriber keeps per-account totals from those events. Totals that equal the entries
prove that no event was lost and none had a second effect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.orm import Session

from mesh_platform.events import EventFactory
from mesh_platform.events.envelope import EventMessage
from mesh_platform.outbox import OutboxWriter
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.platform_tables import PlatformTables, define_platform_tables
from mesh_platform.store.unit_of_work import SqlUnitOfWork

DOMAIN = "ledger"
PRODUCT = "entries"
TOPIC = f"{DOMAIN}.{PRODUCT}.v1"
EVENT_TYPE = f"octagon.{DOMAIN}.entry.recorded.v1"


@dataclass
class LedgerStore:
    """The ledger domain's own store: its entries plus the platform's tables (outbox, processed events)."""

    engine: Engine
    tables: PlatformTables
    entries: Table
    totals: Table
    events: EventFactory

    @classmethod
    def create(cls, url: str) -> LedgerStore:
        metadata = MetaData()
        tables = define_platform_tables(metadata)
        entries = Table("entries", metadata, Column("entry_id", String(64), primary_key=True),
                        Column("account", String(32), nullable=False), Column("amount", Integer, nullable=False))
        totals = Table("totals", metadata, Column("account", String(32), primary_key=True),
                       Column("amount", Integer, nullable=False), Column("events", Integer, nullable=False))
        engine = create_store_engine(url)
        metadata.create_all(engine)
        return cls(engine, tables, entries, totals, EventFactory(DOMAIN, "http://127.0.0.1:8000"))

    def record(self, account: str, amount: int) -> str:
        """One command: the entry and its event commit together."""
        entry_id = uuid.uuid4().hex
        unit = SqlUnitOfWork(self.engine, OutboxWriter(self.tables.outbox), self.events)
        with unit:
            unit.session.execute(insert(self.entries).values(entry_id=entry_id, account=account, amount=amount))
            unit.publish(self.events.create(product=PRODUCT, major=1, entity="entry", verb="recorded", key=account,
                                            data={"entry_id": entry_id, "account": account, "amount": amount}))
            unit.commit()
        return entry_id

    def add_to_totals(self, session: Session, message: EventMessage) -> None:
        """The subscriber's handler: a non-idempotent effect, made exactly-once by the subscription."""
        account, amount = message.data["account"], message.data["amount"]
        changed = session.execute(
            update(self.totals).where(self.totals.c.account == account)
            .values(amount=self.totals.c.amount + amount, events=self.totals.c.events + 1)
        ).rowcount
        if not changed:
            session.execute(insert(self.totals).values(account=account, amount=amount, events=1))

    def sums_by_account(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(self.entries.c.account, func.sum(self.entries.c.amount))
                                      .group_by(self.entries.c.account))
            return {account: int(total) for account, total in rows}

    def totals_by_account(self) -> dict[str, tuple[int, int]]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(self.totals.c.account, self.totals.c.amount, self.totals.c.events))
            return {account: (amount, events) for account, amount, events in rows}

    def count(self, table: Table, *where) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
