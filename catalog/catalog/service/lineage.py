"""Use cases of lineage: ingest OpenLineage events, answer Marquez's lineage query."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from catalog.adapters.lineage_store import Received, SqlLineageStore
from catalog.domain.lineage_graph import LineageGraph, LineageSlice, parse_node_id
from catalog.domain.lineage_ownership import foreign_scope
from catalog.domain.openlineage import LineageObservation, MalformedLineageEvent, parse_event

_MAX_BATCH = 500  # events per transaction of the ingestion thread
_WORKER_IDLE_SECONDS = 2.0  # the ingestion thread ends after this long without events; the next one starts it


@dataclass(frozen=True)
class LineageLimits:
    """How far a lineage query may go (Marquez's default depth, a cap on depth and on the nodes returned), and how
    much one event may carry: a job with thousands of inputs or outputs is a bulk load, not lineage anyone reads."""

    default_depth: int = 20
    max_depth: int = 50
    max_nodes: int = 2000
    max_inputs: int = 1000
    max_outputs: int = 1000


class ForeignLineage(PermissionError):
    """An event writing lineage of someone else's jobs or datasets: the caller lacks ``scope``; nothing is stored."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"the event writes lineage that needs scope {scope!r}")
        self.scope = scope


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

    items: list[Received]
    done: bool = False
    error: BaseException | None = None
    future: Future[LineageObservation] | None = None


class LineageService:
    """Writes go to the store first; the in-memory graph changes only once they are committed.

    Writes are group-committed: events that arrive while a transaction is being written are written together in
    the next one, so concurrent senders share the cost of a commit, and a caller returns only once its own events
    are committed (or failed). :meth:`submit` hands an event's bytes to one ingestion thread, which decodes, checks
    and writes whatever has queued up: the HTTP edge never parses or stores on its event loop, and however many
    events arrive at once, one thread (not one per request) competes with request handling for the interpreter.
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
        self._inbox: list[tuple[bytes, frozenset[str] | None, Future[LineageObservation]]] = []
        self._inbox_changed = threading.Condition()
        self._worker: threading.Thread | None = None
        self.listeners: list[Callable[[list[dict[str, Any]]], None]] = []
        """Called with the payloads of each committed batch (after the commit, on the writing thread)."""

    def ingest(self, payload: dict[str, Any]) -> LineageObservation:
        """Store an OpenLineage event; :class:`MalformedLineageEvent` or :class:`LineageEventTooLarge` (nothing
        stored) if it is not one the catalog takes."""
        observation = self.parse(payload)
        self._write([_Ticket([(observation, payload, None)])])
        return observation

    def ingest_many(self, payloads: Sequence[dict[str, Any]]) -> list[LineageObservation]:
        """Store several events in one transaction, in order; if any is refused, none is stored."""
        observations = [self.parse(payload) for payload in payloads]
        self._write([_Ticket([(observation, payload, None)
                                  for observation, payload in zip(observations, payloads, strict=True)])])
        return observations

    def submit(self, body: bytes, scopes: frozenset[str] | None = None) -> Future[LineageObservation]:
        """Queue the JSON bytes of one event for the ingestion thread; the future completes once it is stored,
        or fails with :class:`ForeignLineage` (with ``scopes``, the caller's: it may post only its own jobs and
        datasets), :class:`MalformedLineageEvent` or :class:`LineageEventTooLarge` (nothing stored in each case).
        The body is decoded once, on that thread: the caller's thread (the event loop) never parses it."""
        future: Future[LineageObservation] = Future()
        with self._inbox_changed:
            self._inbox.append((body, scopes, future))
            if self._worker is None:
                self._worker = threading.Thread(target=self._drain, name="lineage-ingestion", daemon=True)
                self._worker.start()
            self._inbox_changed.notify()
        return future

    def parse(self, payload: Any) -> LineageObservation:
        """The observation in ``payload``, refused before any parsing work if it carries more than the caps."""
        if isinstance(payload, dict):
            for part, cap in (("inputs", self.limits.max_inputs), ("outputs", self.limits.max_outputs)):
                datasets = payload.get(part)
                if isinstance(datasets, list) and len(datasets) > cap:
                    raise LineageEventTooLarge(part, len(datasets), cap)
        return parse_event(payload)

    def _drain(self) -> None:
        """The ingestion thread: writes what has queued up, batch after batch; ends once idle for a while."""
        while True:
            with self._inbox_changed:
                if not self._inbox:
                    self._inbox_changed.wait(_WORKER_IDLE_SECONDS)
                if not self._inbox:
                    self._worker = None
                    return
                received, self._inbox = self._inbox[:_MAX_BATCH], self._inbox[_MAX_BATCH:]
            tickets = []
            for body, scopes, future in received:
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    payload = json.loads(body)
                except (UnicodeDecodeError, json.JSONDecodeError) as e:
                    future.set_exception(MalformedLineageEvent(f"the body is not JSON: {e}"))
                    continue
                # Whose lineage it writes is checked before anything else is said about it (as a 403 would be).
                needed = foreign_scope(payload, scopes) if scopes is not None else None
                if needed is not None:
                    future.set_exception(ForeignLineage(needed))
                    continue
                try:
                    tickets.append(_Ticket([(self.parse(payload), payload, body)], future=future))
                except Exception as e:  # refused (or failed) alone: the others of the batch go on
                    future.set_exception(e)
            if tickets:
                self._write(tickets)

    def _write(self, tickets: list[_Ticket]) -> None:
        with self._queue_lock:
            self._queue.extend(tickets)
        with self._writes:
            if not all(ticket.done for ticket in tickets):  # else an earlier writer took them along
                with self._queue_lock:
                    queued, self._queue = self._queue, []
                self._commit(queued)
        for ticket in tickets:
            if ticket.future is not None:
                if ticket.error is not None:
                    ticket.future.set_exception(ticket.error)
                else:
                    ticket.future.set_result(ticket.items[0][0])
        if len(tickets) == 1 and tickets[0].future is None and tickets[0].error is not None:
            raise tickets[0].error

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

    def _commit_together(self, items: list[Received]) -> None:
        with self.store.engine.begin() as connection:
            changes = self.store.record(connection, items, self.clock())
        changes.apply(self.graph)
        for listener in self.listeners:
            listener([payload for _, payload, _ in items])

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
