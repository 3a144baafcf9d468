"""Use cases of lineage: ingest OpenLineage events, answer Marquez's lineage query."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from catalog.adapters.lineage_store import SqlLineageStore
from catalog.domain.lineage_graph import LineageGraph, LineageSlice, parse_node_id
from catalog.domain.openlineage import LineageObservation, parse_event


@dataclass(frozen=True)
class LineageLimits:
    """How far a lineage query may go (Marquez's default depth, a cap on depth and on the nodes returned), and how
    much one event may carry: a job with thousands of inputs or outputs is a bulk load, not lineage anyone reads."""

    default_depth: int = 20
    max_depth: int = 50
    max_nodes: int = 2000
    max_inputs: int = 1000
    max_outputs: int = 1000


class LineageEventTooLarge(ValueError):
    """An event carrying more inputs or outputs than the catalog takes; nothing of it is stored."""

    def __init__(self, part: str, found: int, cap: int) -> None:
        super().__init__(f"{part}: {found} datasets, more than the {cap} {part} an event may carry "
                         f"(the catalog's cap on {part} per event); split the event")
        self.part = part
        self.found = found
        self.cap = cap


@dataclass
class _Ticket:
    """Events waiting to be written, and what became of them."""

    items: list[tuple[LineageObservation, dict[str, Any]]]
    done: bool = False
    error: BaseException | None = None


class LineageService:
    """Writes go to the store first; the in-memory graph changes only once they are committed.

    Writes are group-committed: a caller whose events arrive while another transaction is being written waits for
    it, then writes every event queued meanwhile in one transaction, so concurrent senders share the cost of a
    commit. Callers return only once their own events are committed (or failed).
    """

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
        self._queue_lock = threading.Lock()
        self._queue: list[_Ticket] = []

    def ingest(self, payload: dict[str, Any]) -> LineageObservation:
        """Store an OpenLineage event; :class:`MalformedLineageEvent` or :class:`LineageEventTooLarge` (nothing
        stored) if it is not one the catalog takes."""
        observation = self.parse(payload)
        self._write([(observation, payload)])
        return observation

    def ingest_many(self, payloads: Sequence[dict[str, Any]]) -> list[LineageObservation]:
        """Store several events in one transaction, in order; if any is refused, none is stored."""
        observations = [self.parse(payload) for payload in payloads]
        self._write(list(zip(observations, payloads, strict=True)))
        return observations

    def parse(self, payload: Any) -> LineageObservation:
        """The observation in ``payload``, refused before any parsing work if it carries more than the caps."""
        if isinstance(payload, dict):
            for part, cap in (("inputs", self.limits.max_inputs), ("outputs", self.limits.max_outputs)):
                datasets = payload.get(part)
                if isinstance(datasets, list) and len(datasets) > cap:
                    raise LineageEventTooLarge(part, len(datasets), cap)
        return parse_event(payload)

    def _write(self, items: list[tuple[LineageObservation, dict[str, Any]]]) -> None:
        ticket = _Ticket(items)
        with self._queue_lock:
            self._queue.append(ticket)
        with self._writes:
            if not ticket.done:  # else an earlier writer took our events along
                with self._queue_lock:
                    tickets, self._queue = self._queue, []
                self._commit(tickets)
        if ticket.error is not None:
            raise ticket.error

    def _commit(self, tickets: list[_Ticket]) -> None:
        """One transaction for every queued ticket; should it fail, one per ticket, so a bad one fails alone."""
        try:
            self._commit_together([item for ticket in tickets for item in ticket.items])
        except Exception as e:
            if len(tickets) == 1:
                tickets[0].error = e
            else:
                for ticket in tickets:
                    try:
                        self._commit_together(ticket.items)
                    except Exception as alone:
                        ticket.error = alone
        for ticket in tickets:
            ticket.done = True

    def _commit_together(self, items: list[tuple[LineageObservation, dict[str, Any]]]) -> None:
        with self.store.engine.begin() as connection:
            changes = self.store.record(connection, items, self.clock())
        changes.apply(self.graph)

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
