"""Cards, bouts and the fighter replica in schedule's SQL store. Nothing here commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesh_platform.wire import as_utc
from schedule.adapters.tables import BoutRow, CardRow, FighterReplicaRow
from schedule.domain.model import Bout, BoutStatus, CardStatus, EventCard, FighterSnapshot, Venue


class SqlCardRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, card_id: str) -> EventCard | None:
        row = self.session.get(CardRow, card_id)
        return to_card(row) if row is not None else None

    def add(self, card: EventCard) -> None:
        self.session.add(CardRow(**card_columns(card)))

    def save(self, card: EventCard) -> None:
        row = self.session.get(CardRow, card.card_id)
        for name, value in card_columns(card).items():
            setattr(row, name, value)


class SqlBoutRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, bout_id: str) -> Bout | None:
        row = self.session.get(BoutRow, bout_id)
        return to_bout(row) if row is not None else None

    def on_card(self, card_id: str) -> list[Bout]:
        rows = self.session.scalars(select(BoutRow).where(BoutRow.card_id == card_id).order_by(BoutRow.order_on_card))
        return [to_bout(row) for row in rows]

    def add(self, bout: Bout) -> None:
        self.session.add(BoutRow(**bout_columns(bout)))
        self.session.flush()  # later checks in this transaction (the next booking on the card) must see it

    def save(self, bout: Bout) -> None:
        row = self.session.get(BoutRow, bout.bout_id)
        for name, value in bout_columns(bout).items():
            setattr(row, name, value)


class SqlFighterReplica:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> FighterSnapshot | None:
        row = self.session.get(FighterReplicaRow, fighter_id)
        if row is None:
            return None
        return FighterSnapshot(row.fighter_id, row.name, row.weight_class, row.status)

    def upsert(self, fighter: FighterSnapshot, version: str) -> None:
        row = self.session.get(FighterReplicaRow, fighter.fighter_id)
        if row is None:
            self.session.add(FighterReplicaRow(version=version, **fighter.__dict__))
        elif _moment(row.version) <= _moment(version):  # an older state never wins
            row.name, row.weight_class, row.status, row.version = (
                fighter.name, fighter.weight_class, fighter.status, version,
            )


def card_columns(card: EventCard) -> dict:
    return {
        "card_id": card.card_id,
        "name": card.name,
        "date": card.date,
        "venue": card.venue.venue,
        "city": card.venue.city,
        "country": card.venue.country,
        "status": card.status.value,
        "announced_at": card.announced_at,
    }


def to_card(row: CardRow) -> EventCard:
    return EventCard(
        card_id=row.card_id,
        name=row.name,
        date=row.date,
        venue=Venue(row.venue, row.city, row.country),
        status=CardStatus(row.status),
        announced_at=as_utc(row.announced_at),
    )


def bout_columns(bout: Bout) -> dict:
    columns = dict(bout.__dict__)
    columns["status"] = bout.status.value
    return columns


def to_bout(row: BoutRow) -> Bout:
    columns = row.model_dump()
    columns["status"] = BoutStatus(row.status)
    columns["scheduled_at"] = as_utc(row.scheduled_at)
    return Bout(**columns)


def _moment(version: str) -> datetime:
    # Versions are roster's RFC 3339 `updated_at`; compared as instants, since "…00.5Z" sorts before "…00Z" as text.
    return as_utc(datetime.fromisoformat(version))
