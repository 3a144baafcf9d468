"""The lineage tables read and written through the database driver, set-wise, for ingestion's batches.

Ingestion writes hundreds of rows per transaction; built and bound by SQLAlchemy's Core, each row costs more
Python than folding its event in (compiling, per-row parameter processing, the JSON serializer). Here the
statements are plain SQL in the driver's parameter style, prepared once per shape, and rows go to the driver's
``executemany`` as tuples. JSON columns get text already encoded (or the body as received); SQLite's times are
written in SQLAlchemy's storage format so the ORM reads them back unchanged, PostgreSQL's are bound as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

_IN_LIST = 500  # keys per IN (...) list and rows per multi-row VALUES: inside SQLite's and PostgreSQL's limits

NodeRow = tuple[int, str, str, str, str, "str | dict[str, Any]", datetime, datetime, "str | dict[str, Any]"]
"""(row id, node id, kind, namespace, name, facets, created_at, updated_at, data): JSON as the driver gives it."""
RunRow = tuple[str, str, str, "datetime | None", "datetime | None", datetime, dict[str, Any]]
"""(run id, node id of its job, state, started_at, ended_at, updated_at, facets)"""


class LineageRows:
    """The lineage tables through the raw driver connection under ``connection`` (in its transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        self._mark = mark
        self._json = mark if self.sqlite else f"CAST({mark} AS JSON)"
        self._cursor = connection.connection.cursor()
        self._times: dict[datetime, Any] = {}

    # binding ---------------------------------------------------------------------------------------------------

    def time(self, moment: datetime) -> Any:
        """``moment`` as the driver binds it: SQLite keeps SQLAlchemy's text (UTC), PostgreSQL the datetime."""
        if not self.sqlite:
            return moment
        bound = self._times.get(moment)
        if bound is None:  # the events of a batch share a handful of moments: each is formatted once
            utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
            bound = self._times[moment] = utc.replace(tzinfo=None).isoformat(" ", "microseconds")
        return bound

    def _read_time(self, value: Any) -> datetime:
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def _maybe_time(self, value: Any) -> datetime | None:
        return None if value is None else self._read_time(value)

    # reading ---------------------------------------------------------------------------------------------------

    def nodes(self, node_ids: Sequence[str]) -> list[NodeRow]:
        """The stored nodes among ``node_ids``; facets and data as the driver returns them (text on SQLite)."""
        found: list[NodeRow] = []
        for chunk in _chunks(node_ids):
            self._cursor.execute(
                "SELECT id, node_id, kind, namespace, name, facets, created_at, updated_at, data FROM lineage_nodes"
                f" WHERE node_id IN ({self._marks(len(chunk))})", chunk)
            found += [(row_id, node_id, kind, namespace, name, facets, self._read_time(created),
                       self._read_time(updated), data)
                      for row_id, node_id, kind, namespace, name, facets, created, updated, data
                      in self._cursor.fetchall()]
        return found

    def runs(self, run_ids: Sequence[str]) -> list[RunRow]:
        """The stored runs among ``run_ids``, each with its job's node id."""
        found: list[RunRow] = []
        for chunk in _chunks(run_ids):
            self._cursor.execute(
                "SELECT r.run_id, n.node_id, r.state, r.started_at, r.ended_at, r.updated_at, r.facets"
                " FROM lineage_runs r JOIN lineage_nodes n ON n.id = r.job"
                f" WHERE r.run_id IN ({self._marks(len(chunk))})", chunk)
            found += [self._run(row) for row in self._cursor.fetchall()]
        return found

    def latest_run(self, job: int, node_id: str, excluded: Sequence[str]) -> RunRow | None:
        """The newest stored run of the job with row id ``job`` (start time, else last update) not in ``excluded``."""
        where = f" AND run_id NOT IN ({self._marks(len(excluded))})" if excluded else ""
        self._cursor.execute(
            f"SELECT run_id, {self._mark}, state, started_at, ended_at, updated_at, facets FROM lineage_runs"
            f" WHERE job = {self._mark}{where} ORDER BY COALESCE(started_at, updated_at) DESC LIMIT 1",
            (node_id, job, *excluded))
        row = self._cursor.fetchone()
        return self._run(row) if row is not None else None

    def _run(self, row: Sequence[Any]) -> RunRow:
        run_id, node_id, state, started, ended, updated, facets = row
        return (run_id, node_id, state, self._maybe_time(started), self._maybe_time(ended), self._read_time(updated),
                json.loads(facets) if isinstance(facets, str) else facets)

    # writing ---------------------------------------------------------------------------------------------------

    def insert_nodes(self, rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
        """Insert ``(node_id, kind, namespace, name, data JSON, facets JSON, created_at, updated_at)`` rows (times
        bound with :meth:`time`); their row ids by node id."""
        ids: dict[str, int] = {}
        for start in range(0, len(rows), _IN_LIST):
            chunk = rows[start: start + _IN_LIST]
            values = f"({self._mark}, {self._mark}, {self._mark}, {self._mark}, {self._json}, {self._json}, " \
                     f"{self._mark}, {self._mark})"
            self._cursor.execute(
                "INSERT INTO lineage_nodes (node_id, kind, namespace, name, data, facets, created_at, updated_at)"
                f" VALUES {_repeat(values, len(chunk))} RETURNING node_id, id",
                [value for row in chunk for value in row])
            ids.update(self._cursor.fetchall())
        return ids

    def update_nodes(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Set ``(data JSON, facets JSON, updated_at, row id)`` of stored nodes."""
        self._cursor.executemany(
            f"UPDATE lineage_nodes SET data = {self._json}, facets = {self._json}, updated_at = {self._mark}"
            f" WHERE id = {self._mark}", list(rows))

    def insert_edges(self, rows: Iterable[tuple[int, int, Any]]) -> None:
        """Insert ``(origin row id, destination row id, created_at)`` edges."""
        self._cursor.executemany(
            f"INSERT INTO lineage_edges (origin, destination, created_at) VALUES ({self._marks(3)})", list(rows))

    def insert_runs(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert ``(run id, job row id, state, started_at, ended_at, updated_at, facets JSON)`` runs."""
        self._cursor.executemany(
            "INSERT INTO lineage_runs (run_id, job, state, started_at, ended_at, updated_at, facets)"
            f" VALUES ({self._marks(6)}, {self._json})", list(rows))

    def update_runs(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Set ``(state, started_at, ended_at, updated_at, facets JSON, run id)`` of stored runs."""
        self._cursor.executemany(
            f"UPDATE lineage_runs SET state = {self._mark}, started_at = {self._mark}, ended_at = {self._mark},"
            f" updated_at = {self._mark}, facets = {self._json} WHERE run_id = {self._mark}", list(rows))

    def insert_events(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert ``(received_at, kind, type, event_time, run id, subject, payload JSON)`` events."""
        self._cursor.executemany(
            "INSERT INTO lineage_events (received_at, event_kind, event_type, event_time, run_id, subject, payload)"
            f" VALUES ({self._marks(6)}, {self._json})", list(rows))

    def close(self) -> None:
        self._cursor.close()

    def _marks(self, count: int) -> str:
        return _repeat(self._mark, count)


@lru_cache(maxsize=64)
def _repeat(mark: str, count: int) -> str:
    return ", ".join([mark] * count)


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[start: start + _IN_LIST] for start in range(0, len(values), _IN_LIST)]
