"""Stats' products and announcement log in its SQL store (the replicas are in ``replicas.py``). Nothing here commits."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.orm import Session

from mesh_platform.domain_api import StoredProduct, as_utc, columns_of, entity_of, record_of
from stats.adapters.tables import (
    FIGHTER_RECORDS,
    RANKINGS,
    AnnouncementRow,
    FighterRecordRow,
    RankingRow,
)
from stats.domain.model import FighterRecord, Ranking


class SqlRecordRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> FighterRecord | None:
        row = self.session.get(FighterRecordRow, fighter_id)
        return entity_of(FighterRecord, row) if row is not None else None

    def save(self, record: FighterRecord) -> None:
        _store(self.session, FighterRecordRow, self.session.get(FighterRecordRow, record.fighter_id), record)


class SqlRankingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, weight_class: str) -> Ranking | None:
        row = self.session.get(RankingRow, weight_class)
        return entity_of(Ranking, row) if row is not None else None

    def save(self, ranking: Ranking) -> None:
        _store(self.session, RankingRow, self.session.get(RankingRow, ranking.weight_class), ranking)


def _store(session: Session, table: type, row: object | None, entity: FighterRecord | Ranking) -> None:
    if row is None:
        session.add(table(**columns_of(entity)))
        return
    for name, value in columns_of(entity).items():
        setattr(row, name, value)


class SqlAnnouncementLog:
    """The digest and version of the last announced state of each record, by product and key."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def is_news(self, item: FighterRecord | Ranking) -> bool:
        product, key, digest = _announced(item)
        row = self.session.get(AnnouncementRow, (product, key))
        if row is None:
            return True
        return as_utc(item.as_of) >= as_utc(row.version) and digest != row.digest

    def remember(self, item: FighterRecord | Ranking) -> None:
        product, key, digest = _announced(item)
        row = self.session.get(AnnouncementRow, (product, key))
        if row is None:
            self.session.add(AnnouncementRow(product=product, item_key=key, version=item.as_of, digest=digest))
        else:
            row.version, row.digest = item.as_of, digest


def _announced(item: FighterRecord | Ranking) -> tuple[str, str, str]:
    product: StoredProduct = FIGHTER_RECORDS if isinstance(item, FighterRecord) else RANKINGS
    wire = record_of(item.model_dump())
    return product.product, str(wire[product.key]), hashlib.sha256(json.dumps(wire, sort_keys=True).encode()).hexdigest()
