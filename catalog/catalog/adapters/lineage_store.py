"""OpenLineage observations in the catalog's store, and the in-memory graph rebuilt from it.

The store is the truth: nodes with their merged facets, edges (the union of every input and output ever seen),
runs and the raw events. :class:`SqlLineageStore` writes one observation per transaction and returns the graph
changes to apply once that transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from catalog.adapters.tables import LineageEdgeRow, LineageEventRow, LineageNodeRow, LineageRunRow
from catalog.domain.lineage_data import dataset_data, job_data, merge_facets, run_data
from catalog.domain.lineage_graph import DATASET, JOB, LineageGraph, NodeKind, dataset_node_id, job_node_id
from catalog.domain.openlineage import MARQUEZ_RUN_STATE, DatasetRef, LineageObservation
from mesh_platform.wire import as_utc

_TERMINAL = {"COMPLETED", "FAILED", "ABORTED"}


@dataclass
class GraphChanges:
    """What to apply to the in-memory graph after the observation's transaction committed."""

    nodes: list[tuple[str, NodeKind, dict[str, Any]]] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def apply(self, graph: LineageGraph) -> None:
        for node_id, kind, data in self.nodes:
            graph.put_node(node_id, kind, data)
        for origin, destination in self.edges:
            graph.add_edge(origin, destination)


class SqlLineageStore:
    """Reads and writes the lineage tables; knows the graph only to avoid re-inserting known edges."""

    def __init__(self, engine: Engine, graph: LineageGraph) -> None:
        self.engine = engine
        self.graph = graph

    def load(self) -> None:
        """Fill the graph with every stored node and edge (at start-up)."""
        with Session(self.engine) as session:
            ids: dict[int, str] = {}
            for row_id, node_id, kind, data in session.execute(
                select(LineageNodeRow.id, LineageNodeRow.node_id, LineageNodeRow.kind, LineageNodeRow.data)
            ):
                ids[row_id] = node_id
                self.graph.put_node(node_id, kind, data)
            for origin, destination in session.execute(select(LineageEdgeRow.origin, LineageEdgeRow.destination)):
                self.graph.add_edge(ids[origin], ids[destination])
        self.graph.warm()

    def record(
        self, session: Session, observation: LineageObservation, payload: dict[str, Any], received_at: datetime
    ) -> GraphChanges:
        """Store one observation in ``session`` (the caller commits) and say how the graph changes."""
        changes = GraphChanges()
        refs = {dataset_node_id(d.namespace, d.name): d for d in observation.datasets}
        job_id = job_node_id(observation.job.namespace, observation.job.name) if observation.job else None
        wanted = [*refs, *([job_id] if job_id else [])]
        rows = {row.node_id: row for row in session.scalars(select(LineageNodeRow).where(LineageNodeRow.node_id.in_(wanted)))}
        at = observation.event_time
        for node_id, ref in refs.items():
            row, changed = self._dataset_row(session, rows.get(node_id), node_id, ref, at)
            rows[node_id] = row
            if changed:
                changes.nodes.append((node_id, DATASET, row.data))
        if observation.job is not None and job_id is not None:
            job = observation.job
            row = rows.get(job_id)
            if row is None:
                row = self._insert(session, job_id, JOB, job.namespace, job.name, {}, at)
                rows[job_id] = row
            facets = merge_facets(row.facets, job.facets)
            new_edges = [(dataset_node_id(d.namespace, d.name), job_id) for d in observation.inputs]
            new_edges += [(job_id, dataset_node_id(d.namespace, d.name)) for d in observation.outputs]
            new_edges = [edge for edge in dict.fromkeys(new_edges) if not self.graph.has_edge(*edge)]
            for origin, destination in new_edges:
                session.add(LineageEdgeRow(origin=rows[origin].id, destination=rows[destination].id, created_at=received_at))
            latest_run = self._record_run(session, row, observation, at) if observation.run else row.data.get("latestRun")
            inputs, outputs = self._io(job_id, new_edges, rows)
            row.facets = facets
            row.updated_at = max(as_utc(row.updated_at), at)
            row.data = job_data(job.namespace, job.name, facets, inputs, outputs, latest_run,
                                as_utc(row.created_at), as_utc(row.updated_at))
            changes.nodes.append((job_id, JOB, row.data))
            changes.edges.extend(new_edges)
        session.add(
            LineageEventRow(
                received_at=received_at, event_kind=observation.kind,
                event_type=observation.run.event_type if observation.run else None, event_time=at,
                run_id=observation.run.run_id if observation.run else None, subject=job_id or next(iter(refs)),
                payload=payload,
            )
        )
        return changes

    def event_count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(LineageEventRow)) or 0)

    # pieces ----------------------------------------------------------------------------------------------------

    def _insert(
        self, session: Session, node_id: str, kind: NodeKind, namespace: str, name: str, data: dict[str, Any],
        at: datetime,
    ) -> LineageNodeRow:
        row = LineageNodeRow(node_id=node_id, kind=kind, namespace=namespace, name=name, data=data, facets={},
                             created_at=at, updated_at=at)
        session.add(row)
        session.flush()
        return row

    def _dataset_row(
        self, session: Session, row: LineageNodeRow | None, node_id: str, ref: DatasetRef, at: datetime
    ) -> tuple[LineageNodeRow, bool]:
        if row is None:
            row = self._insert(session, node_id, DATASET, ref.namespace, ref.name, {}, at)
        elif not ref.facets:
            return row, False  # a mere mention as input or output changes nothing
        facets = merge_facets(row.facets, ref.facets)
        row.facets = facets
        row.updated_at = max(as_utc(row.updated_at), at)
        row.data = dataset_data(ref.namespace, ref.name, facets, as_utc(row.created_at), as_utc(row.updated_at))
        return row, True

    def _record_run(
        self, session: Session, job: LineageNodeRow, observation: LineageObservation, at: datetime
    ) -> dict[str, Any] | None:
        run = observation.run
        assert run is not None
        row = session.get(LineageRunRow, run.run_id)
        state = MARQUEZ_RUN_STATE.get(run.event_type or "OTHER", "RUNNING")
        if row is None:
            row = LineageRunRow(run_id=run.run_id, job=job.id, state=state, updated_at=at, facets={})
            session.add(row)
        elif row.state in _TERMINAL and state == "RUNNING":
            state = row.state  # a late START or RUNNING does not reopen a finished run
        row.state = state
        if run.event_type == "START" or (row.started_at is None and state == "RUNNING"):
            row.started_at = at
        if state in _TERMINAL:
            row.ended_at = at
        row.updated_at = max(as_utc(row.updated_at), at)
        row.facets = merge_facets(row.facets, run.facets)
        session.flush()
        latest = session.scalars(
            select(LineageRunRow).where(LineageRunRow.job == job.id)
            .order_by(func.coalesce(LineageRunRow.started_at, LineageRunRow.updated_at).desc()).limit(1)
        ).first()
        if latest is None:
            return None
        return run_data(latest.run_id, latest.state, _utc(latest.started_at), _utc(latest.ended_at),
                        as_utc(latest.updated_at), as_utc(latest.updated_at), latest.facets)

    def _io(
        self, job_id: str, new_edges: list[tuple[str, str]], rows: dict[str, LineageNodeRow]
    ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        upstream, downstream = self.graph.neighbours(job_id) if job_id in self.graph else ([], [])
        upstream += [origin for origin, destination in new_edges if destination == job_id]
        downstream += [destination for origin, destination in new_edges if origin == job_id]

        def ids(node_ids: list[str]) -> list[dict[str, str]]:
            return [{"namespace": rows[n].namespace, "name": rows[n].name} if n in rows else dict(self.graph.data(n)["id"])
                    for n in node_ids]

        return ids(upstream), ids(downstream)


def _utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None
