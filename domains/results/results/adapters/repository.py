"""Results and the bout replica in results' SQL store. Nothing here commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mesh_platform.domain_api import columns_of, entity_of, store_newer
from results.adapters.tables import BoutReplicaRow, BoutResultRow
from results.domain.exceptions import ResultAlreadyRecorded
from results.domain.model import BoutResult, BoutSnapshot


class SqlResultRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, bout_id: str) -> BoutResult | None:
        row = self.session.get(BoutResultRow, bout_id)
        return entity_of(BoutResult, row) if row is not None else None

    def add(self, result: BoutResult) -> None:
        self.session.add(BoutResultRow(**columns_of(result)))
        try:
            self.session.flush()
        except IntegrityError as e:  # a concurrent request recorded this bout first
            raise ResultAlreadyRecorded(result.bout_id) from e


class SqlBoutReplica:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, bout_id: str) -> BoutSnapshot | None:
        row = self.session.get(BoutReplicaRow, bout_id)
        if row is None:
            return None
        columns = row.model_dump(exclude={"version"})
        return BoutSnapshot(**columns)

    def upsert(self, bout: BoutSnapshot, version: datetime) -> None:
        store_newer(self.session, BoutReplicaRow, bout.bout_id, bout.__dict__, version)

