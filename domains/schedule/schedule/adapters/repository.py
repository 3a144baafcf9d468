"""Cards, bouts and the fighter replica in schedule's SQL store. Nothing here commits."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from mesh_platform.domain_api import columns_of, entity_of, store_newer
from schedule.adapters.tables import BoutRow, CardRow, FighterReplicaRow
from schedule.domain.model import Bout, EventCard, FighterSnapshot


class SqlCardRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, card_id: str) -> EventCard | None:
        row = self.session.get(CardRow, card_id)
        return entity_of(EventCard, row) if row is not None else None

    def add(self, card: EventCard) -> None:
        self.session.add(CardRow(**columns_of(card)))

    def save(self, card: EventCard) -> None:
        row = self.session.get(CardRow, card.card_id)
        for name, value in columns_of(card).items():
            setattr(row, name, value)


class SqlBoutRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, bout_id: str) -> Bout | None:
        row = self.session.get(BoutRow, bout_id)
        return entity_of(Bout, row) if row is not None else None

    def on_card(self, card_id: str) -> list[Bout]:
        rows = self.session.scalars(select(BoutRow).where(col(BoutRow.card_id) == card_id).order_by(col(BoutRow.order_on_card)))
        return [entity_of(Bout, row) for row in rows]

    def add(self, bout: Bout) -> None:
        self.session.add(BoutRow(**columns_of(bout)))
        self.session.flush()  # later checks in this transaction (the next booking on the card) must see it

    def save(self, bout: Bout) -> None:
        row = self.session.get(BoutRow, bout.bout_id)
        for name, value in columns_of(bout).items():
            setattr(row, name, value)


class SqlFighterReplica:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> FighterSnapshot | None:
        row = self.session.get(FighterReplicaRow, fighter_id)
        if row is None:
            return None
        return FighterSnapshot(**{name: getattr(row, name) for name in FighterSnapshot.__dataclass_fields__})

    def upsert(self, fighter: FighterSnapshot, version: datetime) -> None:
        store_newer(self.session, FighterReplicaRow, fighter.fighter_id, asdict(fighter), version)
