"""A batch of OpenLineage observations folded into the nodes, edges and runs they leave behind, then written
set-wise: one read of the nodes and runs the batch touches, then one multi-row statement per table and kind of
change (:mod:`catalog.adapters.lineage_rows`), so the cost of an event barely grows with the graph or the batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog.adapters.lineage_rows import LineageRows, RunRow
from catalog.domain.lineage_data import dataset_data, job_data, merge_facets, run_data
from catalog.domain.lineage_graph import DATASET, JOB, LineageGraph, NodeKind, compact_json, compact_text
from catalog.domain.openlineage import MARQUEZ_RUN_STATE, LineageObservation, RunRef

_TERMINAL = {"COMPLETED", "FAILED", "ABORTED"}

Received = tuple[LineageObservation, dict[str, Any], bytes | None]
"""An event to store: its observation, its payload, and its body as received (stored as it is) if there is one."""


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
            self._facets = _object(self._facets)
        return self._facets

    @facets.setter
    def facets(self, value: dict[str, Any]) -> None:
        self._facets = value

    @property
    def data(self) -> dict[str, Any]:
        if isinstance(self._data, str):
            self._data = _object(self._data)
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

    @classmethod
    def of(cls, row: RunRow) -> _Run:
        return cls(*row)

    @property
    def recency(self) -> datetime:
        """What orders a job's runs, newest first (Marquez: start time, else last update)."""
        return self.started_at or self.updated_at

    def data(self) -> dict[str, Any]:
        return run_data(self.run_id, self.state, self.started_at, self.ended_at, self.updated_at, self.updated_at,
                        self.facets)


class LineageBatch:
    """Events folded into nodes, edges and runs in memory, then written in ``rows``' transaction."""

    def __init__(self, graph: LineageGraph, rows: LineageRows, events: Sequence[Received], received_at: datetime
                 ) -> None:
        self.graph = graph
        self.rows = rows
        self.pending = events
        self.received_at = received_at
        self.nodes: dict[str, _Node] = {}
        self.runs: dict[str, _Run] = {}
        self.edges: dict[tuple[str, str], None] = {}  # new ones, in the order seen
        self.jobs: dict[str, None] = {}  # jobs whose data is rebuilt
        self.run_jobs: dict[str, None] = {}  # jobs with a run in the batch
        self.events: list[tuple[Any, ...]] = []  # rows of the events table

    def write(self) -> GraphChanges:
        """Store the batch; what the graph gains once the transaction has committed."""
        self._read_known()
        received = self.rows.time(self.received_at)
        for observation, payload, body in self.pending:
            self._fold(observation, payload, body, received)
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
        changed = [node for node in self.nodes.values() if node.changed]
        for node in changed:
            if node.kind == DATASET:
                node.data = dataset_data(node.namespace, node.name, node.facets, node.created_at, node.updated_at)
            node.data_json = compact_json(node.data)
        self._write_nodes(changed)
        self._write_edges_runs_events()
        return GraphChanges([(node.node_id, node.kind, node.data, node.data_json) for node in changed],
                            list(self.edges))

    # reading what the batch touches ----------------------------------------------------------------------------

    def _read_known(self) -> None:
        wanted: dict[str, None] = {}
        run_ids: dict[str, None] = {}
        for observation, _payload, _body in self.pending:
            wanted.update(dict.fromkeys(observation.dataset_ids))
            if observation.job is not None:
                wanted[observation.job.node_id] = None
            if observation.run is not None:
                run_ids[observation.run.run_id] = None
        for row_id, node_id, kind, namespace, name, facets, created_at, updated_at, data in self.rows.nodes(
                list(wanted)):
            self.nodes[node_id] = _Node(row_id, node_id, DATASET if kind == DATASET else JOB, namespace, name,
                                        facets, created_at, updated_at, data)
        if run_ids:
            self.runs.update((row[0], _Run.of(row)) for row in self.rows.runs(list(run_ids)))

    # folding one observation in --------------------------------------------------------------------------------

    def _fold(self, observation: LineageObservation, payload: dict[str, Any], body: bytes | None,
              received: Any) -> None:
        at = observation.event_time
        nodes = self.nodes
        for node_id, ref in zip(observation.dataset_ids, observation.datasets, strict=True):
            node = nodes.get(node_id)
            if node is None:
                node = nodes[node_id] = _Node(None, node_id, DATASET, ref.namespace, ref.name, {}, at, at, {},
                                              new=True)
            elif not ref.facets:
                continue  # a mere mention as input or output changes nothing
            node.facets = merge_facets(node.facets, ref.facets)
            node.updated_at = max(node.updated_at, at)
            node.changed = True
        job_id = None
        run = observation.run
        if observation.job is not None:
            job = observation.job
            job_id = job.node_id
            node = nodes.get(job_id)
            if node is None:
                node = nodes[job_id] = _Node(None, job_id, JOB, job.namespace, job.name, {}, at, at, {}, new=True)
            node.facets = merge_facets(node.facets, job.facets)
            inputs = len(observation.inputs)
            known_job = not node.new  # a job new in this batch has no edge in the graph yet
            for position, dataset_id in enumerate(observation.dataset_ids):
                edge = (dataset_id, job_id) if position < inputs else (job_id, dataset_id)
                if edge not in self.edges and not (known_job and self.graph.has_edge(*edge)):
                    self.edges[edge] = None
            if run is not None:
                self._fold_run(run, job_id, at)
            node.updated_at = max(node.updated_at, at)
            node.changed = True
            self.jobs[job_id] = None
        # The body as received when there is one (Marquez keeps events as posted); else the payload encoded.
        stored = _as_text(body) if body is not None else None
        self.events.append((
            received, observation.kind, run.event_type if run else None, self.rows.time(at),
            run.run_id if run else None, job_id or observation.dataset_ids[0],
            stored if stored is not None else compact_text(payload),
        ))

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
        row = self.rows.latest_run(node.id, node.node_id, excluded)
        if row is None:
            return None
        run = _Run.of(row)
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

    def _write_nodes(self, changed: list[_Node]) -> None:
        # data goes in as the JSON encoded above (the graph takes the same bytes), not encoded again
        time = self.rows.time
        new = [node for node in changed if node.new]
        if new:
            ids = self.rows.insert_nodes([
                (n.node_id, n.kind, n.namespace, n.name, _text(n.data_json), compact_text(n.facets),
                 time(n.created_at), time(n.updated_at)) for n in new])
            for node in new:
                node.id = ids[node.node_id]
        known = [(_text(n.data_json), compact_text(n.facets), time(n.updated_at), n.id)
                 for n in changed if not n.new]
        if known:
            self.rows.update_nodes(known)

    def _write_edges_runs_events(self) -> None:
        if self.edges:
            at = self.rows.time(self.received_at)
            self.rows.insert_edges([(self._id(origin), self._id(destination), at) for origin, destination in self.edges])
        runs = [run for run in self.runs.values() if run.changed]
        time = self.rows.time
        new = [(run.run_id, self._id(run.job), run.state, _maybe(time, run.started_at), _maybe(time, run.ended_at),
                time(run.updated_at), compact_text(run.facets)) for run in runs if run.new]
        if new:
            self.rows.insert_runs(new)
        known = [(run.state, _maybe(time, run.started_at), _maybe(time, run.ended_at), time(run.updated_at),
                  compact_text(run.facets), run.run_id) for run in runs if not run.new]
        if known:
            self.rows.update_runs(known)
        if self.events:
            self.rows.insert_events(self.events)

    def _id(self, node_id: str) -> int:
        node = self.nodes.get(node_id)
        if node is not None and node.id is not None:
            return node.id
        raise LookupError(f"lineage node {node_id} has no row")  # every edge's ends were read or inserted above


def _object(text: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(text)
    return value


def _as_text(body: bytes) -> str | None:
    """A posted body as JSON text to store as it is; None if only its decoded value can be (not UTF-8, or a BOM
    or NUL that a JSON column would not keep)."""
    if body.startswith(b"\xef\xbb\xbf") or b"\x00" in body:
        return None
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


def _maybe(time: Any, moment: datetime | None) -> Any:
    return None if moment is None else time(moment)


def _text(encoded: bytes | None) -> str:
    if encoded is None:
        raise ValueError("a node's data is encoded before it is written")
    return encoded.decode()


def _recency(run: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(run.get("startedAt") or run["updatedAt"])
