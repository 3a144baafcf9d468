"""Use cases of lineage: ingest an OpenLineage event, answer Marquez's lineage query."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from catalog.adapters.lineage_store import SqlLineageStore
from catalog.domain.lineage_graph import LineageGraph, LineageSlice, parse_node_id
from catalog.domain.openlineage import LineageObservation, parse_event


@dataclass(frozen=True)
class LineageLimits:
    """How far a lineage query may go: Marquez's default depth, a cap on depth and on the nodes returned."""

    default_depth: int = 20
    max_depth: int = 50
    max_nodes: int = 2000


class LineageService:
    """Writes go to the store first; the in-memory graph changes only once they are committed."""

    def __init__(
        self,
        store: SqlLineageStore,
        graph: LineageGraph,
        limits: LineageLimits,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.graph = graph
        self.limits = limits
        self.clock = clock
        self._writes = threading.Lock()

    def ingest(self, payload: dict[str, Any]) -> LineageObservation:
        """Store an OpenLineage event; :class:`MalformedLineageEvent` (nothing stored) if it is not one."""
        observation = parse_event(payload)
        with self._writes:
            with Session(self.store.engine, expire_on_commit=False) as session, session.begin():
                changes = self.store.record(session, observation, payload, self.clock())
            changes.apply(self.graph)
        return observation

    def lineage(self, node_id: str, depth: int | None = None, *, max_nodes: int | None = None) -> LineageSlice:
        """Marquez's lineage graph around ``node_id``; :class:`MalformedNodeId` or :class:`UnknownNode` if it
        names nothing. A depth beyond the limit is capped and the slice says so."""
        parse_node_id(node_id)
        requested = self.limits.default_depth if depth is None else depth
        nodes = min(max_nodes or self.limits.max_nodes, self.limits.max_nodes)
        return self.graph.lineage(node_id, requested, max_depth=self.limits.max_depth, max_nodes=nodes)

    def related_runs(self, node_id: str) -> list[dict[str, Any]]:
        """The jobs writing and reading a dataset with the state of their latest run (none for an unknown node)."""
        if node_id not in self.graph:
            return []
        upstream, downstream = self.graph.neighbours(node_id)
        related = []
        for direction, jobs in (("writes", upstream), ("reads", downstream)):
            for job in jobs:
                data = self.graph.data(job)
                run = data.get("latestRun") or {}
                related.append({"job": job, "name": data.get("name"), "namespace": data.get("namespace"),
                                "direction": direction, "state": run.get("state"), "ended_at": run.get("endedAt"),
                                "updated_at": data.get("updatedAt")})
        return related

    def has_edge(self, origin: str, destination: str) -> bool:
        return self.graph.has_edge(origin, destination)
