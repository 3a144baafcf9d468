"""Stats' replicas, products and announcement log in its SQL store. Nothing here commits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mesh_platform.wire import as_utc
from stats.adapters.products import RANKINGS_PRODUCT, RECORDS_PRODUCT, fighter_record_v1, ranking_v1
from stats.adapters.tables import AnnouncementRow, FighterRecordRow, FighterReplicaRow, RankingRow, ResultReplicaRow
from stats.domain.model import CountedResult, FighterRecord, FighterSnapshot, Ranking, RankingEntry


class SqlFighterReplica:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> FighterSnapshot | None:
        row = self.session.get(FighterReplicaRow, fighter_id)
        return _fighter(row) if row is not None else None

    def get_many(self, fighter_ids: Iterable[str]) -> dict[str, FighterSnapshot]:
        ids = list(fighter_ids)
        if not ids:
            return {}
        rows = self.session.scalars(select(FighterReplicaRow).where(FighterReplicaRow.fighter_id.in_(ids)))
        return {row.fighter_id: _fighter(row) for row in rows}

    def upsert(self, fighter: FighterSnapshot) -> None:
        row = self.session.get(FighterReplicaRow, fighter.fighter_id)
        if row is None:
            self.session.add(FighterReplicaRow(**fighter.__dict__))
        elif as_utc(row.updated_at) <= as_utc(fighter.updated_at):  # an older state never wins
            for name, value in fighter.__dict__.items():
                setattr(row, name, value)


class SqlResultReplica:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, bout_id: str) -> CountedResult | None:
        row = self.session.get(ResultReplicaRow, bout_id)
        return _result(row) if row is not None else None

    def upsert(self, result: CountedResult) -> None:
        row = self.session.get(ResultReplicaRow, result.bout_id)
        if row is None:
            self.session.add(ResultReplicaRow(**result.__dict__))
        elif as_utc(row.recorded_at) <= as_utc(result.recorded_at):
            for name, value in result.__dict__.items():
                setattr(row, name, value)

    def of_fighter(self, fighter_id: str) -> list[CountedResult]:
        return self._where(or_(ResultReplicaRow.red_fighter_id == fighter_id,
                               ResultReplicaRow.blue_fighter_id == fighter_id))

    def in_weight_class(self, weight_class: str) -> list[CountedResult]:
        return self._where(ResultReplicaRow.weight_class == weight_class)

    def weight_classes_of(self, fighter_id: str) -> set[str]:
        query = select(ResultReplicaRow.weight_class).distinct().where(
            or_(ResultReplicaRow.red_fighter_id == fighter_id, ResultReplicaRow.blue_fighter_id == fighter_id)
        )
        return set(self.session.scalars(query))

    def _where(self, condition) -> list[CountedResult]:
        query = select(ResultReplicaRow).where(condition).order_by(ResultReplicaRow.bout_date, ResultReplicaRow.bout_id)
        return [_result(row) for row in self.session.scalars(query)]


class SqlRecordRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, fighter_id: str) -> FighterRecord | None:
        row = self.session.get(FighterRecordRow, fighter_id)
        if row is None:
            return None
        return FighterRecord(**{**row.model_dump(), "updated_at": as_utc(row.updated_at)})

    def save(self, record: FighterRecord) -> None:
        row = self.session.get(FighterRecordRow, record.fighter_id)
        if row is None:
            self.session.add(FighterRecordRow(**record.__dict__))
            return
        for name, value in record.__dict__.items():
            setattr(row, name, value)


class SqlRankingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, weight_class: str) -> Ranking | None:
        row = self.session.get(RankingRow, weight_class)
        if row is None:
            return None
        entries = tuple(RankingEntry(**entry) for entry in row.entries)
        return Ranking(weight_class=row.weight_class, entries=entries, updated_at=as_utc(row.updated_at))

    def save(self, ranking: Ranking) -> None:
        entries = [dict(entry.__dict__) for entry in ranking.entries]
        row = self.session.get(RankingRow, ranking.weight_class)
        if row is None:
            self.session.add(RankingRow(weight_class=ranking.weight_class, entries=entries,
                                        updated_at=ranking.updated_at))
            return
        row.entries, row.updated_at = entries, ranking.updated_at


class SqlAnnouncementLog:
    """The digest and version of the last announced state of each record, by product and key."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def is_news(self, item: FighterRecord | Ranking) -> bool:
        product, key, digest = _announced(item)
        row = self.session.get(AnnouncementRow, (product, key))
        if row is None:
            return True
        return as_utc(item.updated_at) >= as_utc(row.version) and digest != row.digest

    def remember(self, item: FighterRecord | Ranking) -> None:
        product, key, digest = _announced(item)
        row = self.session.get(AnnouncementRow, (product, key))
        if row is None:
            self.session.add(AnnouncementRow(product=product, item_key=key, version=item.updated_at, digest=digest))
        else:
            row.version, row.digest = item.updated_at, digest


def _announced(item: FighterRecord | Ranking) -> tuple[str, str, str]:
    if isinstance(item, FighterRecord):
        product, key, wire = RECORDS_PRODUCT, item.fighter_id, fighter_record_v1(item)
    else:
        product, key, wire = RANKINGS_PRODUCT, item.weight_class, ranking_v1(item)
    return product, key, hashlib.sha256(json.dumps(wire, sort_keys=True).encode()).hexdigest()


def _fighter(row: FighterReplicaRow) -> FighterSnapshot:
    return FighterSnapshot(row.fighter_id, row.name, row.weight_class, row.status, as_utc(row.updated_at))


def _result(row: ResultReplicaRow) -> CountedResult:
    return CountedResult(**{**row.model_dump(), "recorded_at": as_utc(row.recorded_at)})
