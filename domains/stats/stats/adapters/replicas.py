"""Stats' replicas of roster's fighters and results' bout results in its SQL store. Nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from mesh_platform.domain_api import as_utc
from stats.adapters.tables import FighterReplicaRow, ResultReplicaRow
from stats.domain.model import CountedResult, FighterSnapshot


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
        rows = self.session.scalars(select(FighterReplicaRow).where(col(FighterReplicaRow.fighter_id).in_(ids)))
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
        return self._where(or_(col(ResultReplicaRow.red_fighter_id) == fighter_id,
                               col(ResultReplicaRow.blue_fighter_id) == fighter_id))

    def in_weight_class(self, weight_class: str) -> list[CountedResult]:
        return self._where(col(ResultReplicaRow.weight_class) == weight_class)

    def weight_classes_of(self, fighter_id: str) -> set[str]:
        query = select(col(ResultReplicaRow.weight_class)).distinct().where(
            or_(col(ResultReplicaRow.red_fighter_id) == fighter_id, col(ResultReplicaRow.blue_fighter_id) == fighter_id)
        )
        return set(self.session.scalars(query))

    def _where(self, condition: ColumnElement[bool]) -> list[CountedResult]:
        query = select(ResultReplicaRow).where(condition).order_by(
            col(ResultReplicaRow.bout_date), col(ResultReplicaRow.bout_id)
        )
        return [_result(row) for row in self.session.scalars(query)]


def _fighter(row: FighterReplicaRow) -> FighterSnapshot:
    return FighterSnapshot(row.fighter_id, row.name, row.weight_class, row.status, as_utc(row.updated_at))


def _result(row: ResultReplicaRow) -> CountedResult:
    return CountedResult(**{**row.model_dump(), "recorded_at": as_utc(row.recorded_at)})
