"""OpenLineage observations in the catalog's store, and the in-memory graph rebuilt from it.

The store is the truth: nodes with their merged facets, edges (the union of every input and output ever seen),
runs and the raw events. :meth:`SqlLineageStore.record` writes a batch of observations in one transaction with a
handful of set-wise statements (one read of the nodes and runs it touches, then one multi-row insert or update per
table), so the cost of an event barely grows with the graph or with the batch; it returns the graph changes to
apply once that transaction has committed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Text, bindparam, cast, func, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from catalog.adapters.tables import LineageEdgeRow, LineageEventRow, LineageNodeRow, LineageRunRow
from catalog.domain.lineage_data import dataset_data, job_data, merge_facets, run_data
from catalog.domain.lineage_graph import (
    DATASET,
    JOB,
    LineageGraph,
    NodeKind,
    compact_json,
    dataset_node_id,
    job_node_id,
)
from catalog.domain.openlineage import MARQUEZ_RUN_STATE, LineageObservation, RunRef
from mesh_platform.wire import as_utc

_TERMINAL = {"COMPLETED", "FAILED", "ABORTED"}
_IN_LIST = 500  # keys per IN (...) list: well inside SQLite's and PostgreSQL's limits on bound parameters
NODES, EDGES = LineageNodeRow.__table__, LineageEdgeRow.__table__  # type: ignore[attr-defined]
RUNS, EVENTS = LineageRunRow.__table__, LineageEventRow.__table__  # type: ignore[attr-defined]


@dataclass
class GraphChanges:
    """What to apply to the in-memory graph after the observations' transaction committed."""

    nodes: list[tuple[str, NodeKind, dict[str, Any], bytes | None]] = field(default_factory=list)
    """(node id, kind, data, data as compact JSON if already encoded)"""
    edges: list[tuple[str, str]] = field(default_factory=list)

    def apply(self, graph: LineageGraph) -> None:
        for node_id, kind, data, data_json in self.nodes:
            graph.put_node(node_id, kind, data, data_json)
        for origin, destination in self.edges:
            graph.add_edge(origin, destination)


class _Node:
    """A node as the batch leaves it (``id`` None until inserted).

    A stored node's facets and data are read as JSON text and decoded only if the batch looks at them: most nodes
    an event touches are inputs merely mentioned, whose row id is all the batch needs.
    """

    __slots__ = ("id", "node_id", "kind", "namespace", "name", "created_at", "updated_at", "new", "changed",
                 "data_json", "_facets", "_data")

    def __init__(self, id: int | None, node_id: str, kind: NodeKind, namespace: str, name: str,
                 facets: dict[str, Any] | str, created_at: datetime, updated_at: datetime,
                 data: dict[str, Any] | str, *, new: bool = False) -> None:
        self.id = id
        self.node_id = node_id
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.created_at = created_at
        self.updated_at = updated_at
        self.new = new
        self.changed = False
        self.data_json: bytes | None = None  # data encoded once, for its row and for the graph
        self._facets = facets
        self._data = data

    @property
    def facets(self) -> dict[str, Any]:
        if isinstance(self._facets, str):
            self._facets = json.loads(self._facets)
        return self._facets

    @facets.setter
    def facets(self, value: dict[str, Any]) -> None:
        self._facets = value

    @property
    def data(self) -> dict[str, Any]:
        if isinstance(self._data, str):
            self._data = json.loads(self._data)
        return self._data

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self._data = value


@dataclass
class _Run:
    run_id: str
    job: str  # node id of its job
    state: str
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime
    facets: dict[str, Any]
    new: bool = False
    changed: bool = False

    @property
    def recency(self) -> datetime:
        """What orders a job's runs, newest first (Marquez: start time, else last update)."""
        return self.started_at or self.updated_at

    def data(self) -> dict[str, Any]:
        return run_data(self.run_id, self.state, self.started_at, self.ended_at, self.updated_at, self.updated_at,
                        self.facets)


class SqlLineageStore:
    """Reads and writes the lineage tables; knows the graph to skip edges it already holds."""

    def __init__(self, engine: Engine, graph: LineageGraph) -> None:
        self.engine = engine
        self.graph = graph

    def load(self) -> None:
        """Fill the graph with every stored node and edge (at start-up)."""
        with self.engine.connect() as connection:
            ids: dict[int, str] = {}
            for row_id, node_id, kind, data in connection.execute(
                select(NODES.c.id, NODES.c.node_id, NODES.c.kind, NODES.c.data)
            ):
                ids[row_id] = node_id
                self.graph.put_node(node_id, kind, data)
            for origin, destination in connection.execute(select(EDGES.c.origin, EDGES.c.destination)):
                self.graph.add_edge(ids[origin], ids[destination])
        self.graph.warm()

    def record(
        self,
        connection: Connection,
        observations: Sequence[tuple[LineageObservation, dict[str, Any]]],
        received_at: datetime,
    ) -> GraphChanges:
        """Store ``(observation, payload)`` pairs, in order, in ``connection``'s transaction (the caller commits);
        the result says how the graph changes once it has."""
        batch = _Batch(self.graph, connection)
        for observation, payload in observations:
            batch.add(observation, payload, received_at)
        return batch.write()

    def event_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(EVENTS)) or 0)


class _Batch:
    """Observations folded into the nodes, edges and runs they leave behind, then written set-wise."""

    def __init__(self, graph: LineageGraph, connection: Connection) -> None:
        self.graph = graph
        self.connection = connection
        self.nodes: dict[str, _Node] = {}
        self.runs: dict[str, _Run] = {}
        self.edges: dict[tuple[str, str], None] = {}  # new ones, in the order seen
        self.jobs: dict[str, None] = {}  # jobs whose data is rebuilt
        self.run_jobs: dict[str, None] = {}  # jobs with a run in the batch
        self.events: list[dict[str, Any]] = []
        self._pending: list[tuple[LineageObservation, dict[str, Any], datetime]] = []

    def add(self, observation: LineageObservation, payload: dict[str, Any], received_at: datetime) -> None:
        self._pending.append((observation, payload, received_at))

    def write(self) -> GraphChanges:
        self._read_known()
        for observation, payload, received_at in self._pending:
            self._fold(observation, payload, received_at)
        latest = self._latest_runs()
        ins: dict[str, list[str]] = {}
        outs: dict[str, list[str]] = {}
        for origin, destination in self.edges:
            if destination in self.jobs:
                ins.setdefault(destination, []).append(origin)
            else:
                outs.setdefault(origin, []).append(destination)
        for job_id in self.jobs:
            self._rebuild_job(self.nodes[job_id], latest, ins.get(job_id, []), outs.get(job_id, []))
        for node in self.nodes.values():
            if node.kind == DATASET and node.changed:
                node.data = dataset_data(node.namespace, node.name, node.facets, node.created_at, node.updated_at)
        changed = [node for node in self.nodes.values() if node.changed]
        for node in changed:
            node.data_json = compact_json(node.data)
        self._write_nodes()
        self._write_edges_runs_events()
        return GraphChanges([(node.node_id, node.kind, node.data, node.data_json) for node in changed],
                            list(self.edges))

    # reading what the batch touches ----------------------------------------------------------------------------

    def _read_known(self) -> None:
        wanted: dict[str, None] = {}
        run_ids: dict[str, None] = {}
        for observation, _payload, _at in self._pending:
            wanted.update((dataset_node_id(d.namespace, d.name), None) for d in observation.datasets)
            if observation.job is not None:
                wanted[job_node_id(observation.job.namespace, observation.job.name)] = None
            if observation.run is not None:
                run_ids[observation.run.run_id] = None
        # facets and data as text, decoded only when the batch changes the node (see _Node)
        columns = (NODES.c.id, NODES.c.node_id, NODES.c.kind, NODES.c.namespace, NODES.c.name,
                   cast(NODES.c.facets, Text).label("facets"), NODES.c.created_at, NODES.c.updated_at,
                   cast(NODES.c.data, Text).label("data"))
        for chunk in _chunks(list(wanted)):
            for row in self.connection.execute(select(*columns).where(NODES.c.node_id.in_(chunk))):
                self.nodes[row.node_id] = _Node(row.id, row.node_id, row.kind, row.namespace, row.name, row.facets,
                                                as_utc(row.created_at), as_utc(row.updated_at), row.data)
        if not run_ids:
            return
        ids = {}
        run_columns = (RUNS.c.run_id, NODES.c.node_id, RUNS.c.state, RUNS.c.started_at, RUNS.c.ended_at,
                       RUNS.c.updated_at, RUNS.c.facets)
        for chunk in _chunks(list(run_ids)):
            query = select(*run_columns).join(NODES, NODES.c.id == RUNS.c.job).where(RUNS.c.run_id.in_(chunk))
            for row in self.connection.execute(query):
                ids[row.run_id] = _Run(row.run_id, row.node_id, row.state, _utc(row.started_at), _utc(row.ended_at),
                                       as_utc(row.updated_at), row.facets)
        self.runs.update(ids)

    # folding one observation in --------------------------------------------------------------------------------

    def _fold(self, observation: LineageObservation, payload: dict[str, Any], received_at: datetime) -> None:
        at = observation.event_time
        refs = {dataset_node_id(d.namespace, d.name): d for d in observation.datasets}
        for node_id, ref in refs.items():
            node = self.nodes.get(node_id)
            if node is None:
                node = self.nodes[node_id] = _Node(None, node_id, DATASET, ref.namespace, ref.name, {}, at, at, {},
                                                   new=True)
            elif not ref.facets:
                continue  # a mere mention as input or output changes nothing
            node.facets = merge_facets(node.facets, ref.facets)
            node.updated_at = max(node.updated_at, at)
            node.changed = True
        job_id = None
        if observation.job is not None:
            job = observation.job
            job_id = job_node_id(job.namespace, job.name)
            node = self.nodes.get(job_id)
            if node is None:
                node = self.nodes[job_id] = _Node(None, job_id, JOB, job.namespace, job.name, {}, at, at, {}, new=True)
            node.facets = merge_facets(node.facets, job.facets)
            for edge in [*((dataset_node_id(d.namespace, d.name), job_id) for d in observation.inputs),
                         *((job_id, dataset_node_id(d.namespace, d.name)) for d in observation.outputs)]:
                if edge not in self.edges and not self.graph.has_edge(*edge):
                    self.edges[edge] = None
            if observation.run is not None:
                self._fold_run(observation.run, job_id, at)
            node.updated_at = max(node.updated_at, at)
            node.changed = True
            self.jobs[job_id] = None
        self.events.append({
            "received_at": received_at, "event_kind": observation.kind,
            "event_type": observation.run.event_type if observation.run else None, "event_time": at,
            "run_id": observation.run.run_id if observation.run else None,
            "subject": job_id or next(iter(refs)), "payload": payload,
        })

    def _fold_run(self, ref: RunRef, job_id: str, at: datetime) -> None:
        state = MARQUEZ_RUN_STATE.get(ref.event_type or "OTHER", "RUNNING")
        run = self.runs.get(ref.run_id)
        if run is None:
            run = self.runs[ref.run_id] = _Run(ref.run_id, job_id, state, None, None, at, {}, new=True)
        elif run.state in _TERMINAL and state == "RUNNING":
            state = run.state  # a late START or RUNNING does not reopen a finished run
        run.state = state
        if ref.event_type == "START" or (run.started_at is None and state == "RUNNING"):
            run.started_at = at
        if state in _TERMINAL:
            run.ended_at = at
        run.updated_at = max(run.updated_at, at)
        run.facets = merge_facets(run.facets, ref.facets)
        run.changed = True
        self.run_jobs[job_id] = None

    # the latest run of each job --------------------------------------------------------------------------------

    def _latest_runs(self) -> dict[str, dict[str, Any] | None]:
        """The latest run of each job with a run in the batch: the newest of its runs in the batch and of the one
        the store knew as latest; only when that one went back in time is the store asked for the runner-up."""
        latest: dict[str, dict[str, Any] | None] = {}
        runs_of: dict[str, list[_Run]] = {}
        for run in self.runs.values():
            if run.changed:
                runs_of.setdefault(run.job, []).append(run)
        for job_id in self.run_jobs:
            node = self.nodes[job_id]
            ours = runs_of.get(job_id, [])
            known = node.data.get("latestRun") if not node.new else None
            best: tuple[datetime, dict[str, Any]] | None = None
            if known and known["id"] not in self.runs:
                best = (_recency(known), known)
            elif known:
                run = self.runs[known["id"]]
                if run.job != job_id or run.recency < _recency(known):
                    best = self._runner_up(node, [r.run_id for r in ours])
            for run in ours:
                if best is None or run.recency >= best[0]:
                    best = (run.recency, run.data())
            latest[job_id] = best[1] if best else None
        return latest

    def _runner_up(self, node: _Node, excluded: list[str]) -> tuple[datetime, dict[str, Any]] | None:
        if node.id is None:
            return None
        recency = func.coalesce(RUNS.c.started_at, RUNS.c.updated_at)
        row = self.connection.execute(
            select(RUNS).where(RUNS.c.job == node.id, RUNS.c.run_id.not_in(excluded)).order_by(recency.desc()).limit(1)
        ).first()
        if row is None:
            return None
        run = _Run(row.run_id, node.node_id, row.state, _utc(row.started_at), _utc(row.ended_at),
                   as_utc(row.updated_at), row.facets)
        return run.recency, run.data()

    def _rebuild_job(self, node: _Node, latest: dict[str, dict[str, Any] | None], new_inputs: list[str],
                     new_outputs: list[str]) -> None:
        upstream, downstream = self.graph.neighbours(node.node_id) if node.node_id in self.graph else ([], [])
        upstream += new_inputs
        downstream += new_outputs
        latest_run = latest[node.node_id] if node.node_id in latest else node.data.get("latestRun")
        node.data = job_data(node.namespace, node.name, node.facets, self._ids(upstream), self._ids(downstream),
                             latest_run, node.created_at, node.updated_at)

    def _ids(self, node_ids: list[str]) -> list[dict[str, str]]:
        return [{"namespace": self.nodes[n].namespace, "name": self.nodes[n].name} if n in self.nodes
                else dict(self.graph.data(n)["id"]) for n in node_ids]

    # writing ---------------------------------------------------------------------------------------------------

    def _write_nodes(self) -> None:
        # data and facets go in as the JSON text encoded above (the graph takes the same bytes), not re-encoded
        dialect = self.connection.dialect.name
        encoded = {"data": _json_text(dialect, "data_json"), "facets": _json_text(dialect, "facets_json")}
        new = [node for node in self.nodes.values() if node.new]
        if new:
            rows = [{"node_id": n.node_id, "kind": n.kind, "namespace": n.namespace, "name": n.name,
                     "data_json": _text(n.data_json), "facets_json": compact_json(n.facets).decode(),
                     "created_at": n.created_at, "updated_at": n.updated_at} for n in new]
            statement = insert(NODES).values(encoded).returning(NODES.c.id, sort_by_parameter_order=True)
            returned = self.connection.execute(statement, rows)
            for node, (row_id,) in zip(new, returned, strict=True):
                node.id = row_id
        changed = [node for node in self.nodes.values() if node.changed and not node.new]
        if changed:
            # The rest of the SET clause comes from the parameters' column names; row_id is not a column.
            self.connection.execute(
                update(NODES).where(NODES.c.id == bindparam("row_id")).values(encoded),
                [{"row_id": n.id, "data_json": _text(n.data_json), "facets_json": compact_json(n.facets).decode(),
                  "updated_at": n.updated_at} for n in changed],
            )

    def _write_edges_runs_events(self) -> None:
        if self.edges:
            at = self._pending[-1][2]
            self.connection.execute(insert(EDGES), [
                {"origin": self._id(origin), "destination": self._id(destination), "created_at": at}
                for origin, destination in self.edges
            ])
        runs = [run for run in self.runs.values() if run.changed]
        new = [self._run_row(run) for run in runs if run.new]
        if new:
            self.connection.execute(insert(RUNS), new)
        known = [run for run in runs if not run.new]
        if known:
            self.connection.execute(update(RUNS).where(RUNS.c.run_id == bindparam("key")), [
                {"key": run.run_id, "state": run.state, "started_at": run.started_at, "ended_at": run.ended_at,
                 "updated_at": run.updated_at, "facets": run.facets} for run in known
            ])
        if self.events:
            self.connection.execute(insert(EVENTS), self.events)

    def _id(self, node_id: str) -> int:
        node = self.nodes.get(node_id)
        if node is not None and node.id is not None:
            return node.id
        raise LookupError(f"lineage node {node_id} has no row")  # every edge's ends were read or inserted above

    def _run_row(self, run: _Run) -> dict[str, Any]:
        return {"run_id": run.run_id, "job": self._id(run.job), "state": run.state, "started_at": run.started_at,
                "ended_at": run.ended_at, "updated_at": run.updated_at, "facets": run.facets}


def _json_text(dialect: str, key: str) -> ColumnElement[Any]:
    """A parameter taking JSON already encoded as text: SQLite stores JSON as that text; PostgreSQL casts it."""
    parameter = bindparam(key, type_=Text)
    return parameter if dialect == "sqlite" else cast(parameter, JSON)


def _text(encoded: bytes | None) -> str:
    if encoded is None:
        raise ValueError("a node's data is encoded before it is written")
    return encoded.decode()


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[start: start + _IN_LIST] for start in range(0, len(values), _IN_LIST)]


def _recency(run: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(run.get("startedAt") or run["updatedAt"])


def _utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None
