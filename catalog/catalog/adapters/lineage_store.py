"""OpenLineage observations in the catalog's store, and the in-memory graph rebuilt from it.

The store is the truth: nodes with their merged facets, edges (the union of every input and output ever seen),
runs and the raw events. :meth:`SqlLineageStore.record` writes a batch of observations in one transaction
(:class:`~catalog.adapters.lineage_batch.LineageBatch`: one read of what the batch touches, then one multi-row
statement per table) and returns the graph changes to apply once that transaction has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, Table, func, select

from catalog.adapters.lineage_batch import GraphChanges, LineageBatch, Received
from catalog.adapters.lineage_rows import LineageRows
from catalog.adapters.tables import LineageEdgeRow, LineageEventRow, LineageNodeRow, LineageRunRow
from catalog.domain.lineage_graph import LineageGraph

NODES: Table = LineageNodeRow.__table__  # type: ignore[attr-defined]
EDGES: Table = LineageEdgeRow.__table__  # type: ignore[attr-defined]
RUNS: Table = LineageRunRow.__table__  # type: ignore[attr-defined]
EVENTS: Table = LineageEventRow.__table__  # type: ignore[attr-defined]

__all__ = ["EDGES", "EVENTS", "NODES", "RUNS", "GraphChanges", "Received", "SqlLineageStore"]


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

    def record(self, connection: Connection, events: Sequence[Received], received_at: datetime) -> GraphChanges:
        """Store ``(observation, payload, body as received or None)`` triples, in order, in ``connection``'s
        transaction (the caller commits); the result says how the graph changes once it has."""
        rows = LineageRows(connection)
        try:
            return LineageBatch(self.graph, rows, events, received_at).write()
        finally:
            rows.close()

    def event_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(EVENTS)) or 0)

