"""The lineage graph of datasets and jobs, and Marquez's lineage query over it.

Node ids follow Marquez: ``dataset:<namespace>:<name>`` and ``job:<namespace>:<name>``. Edges run from a job's
input datasets to the job and from the job to its output datasets. As in Marquez, ``depth`` counts job-to-job hops
(two jobs are one hop apart when they share a dataset, in either direction); every input and output of a job in
the answer is in the answer. A query starting at a dataset starts from every job that reads or writes it.

:class:`LineageGraph` is an in-memory read model (adjacency lists over dense integer ids) rebuilt from the store at
start-up and updated after each committed ingestion, so a query never touches the store. It keeps each node's JSON
as well: an answer is assembled from ready fragments, so answering costs little more than walking the graph.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from itertools import compress
from typing import Any, Literal

NodeKind = Literal["DATASET", "JOB"]
DATASET: NodeKind = "DATASET"
JOB: NodeKind = "JOB"
_PREFIXES = {"dataset": DATASET, "job": JOB}
# Marquez splits ids on ':' except where it belongs to a URI scheme (://) or a host:port.
_SEPARATOR = re.compile(r":(?!//|\d+)")


class MalformedNodeId(ValueError):
    """A node id that is not ``dataset:<namespace>:<name>`` or ``job:<namespace>:<name>``."""


class UnknownNode(LookupError):
    """No dataset or job with that node id has been seen."""


def dataset_node_id(namespace: str, name: str) -> str:
    """The Marquez node id of a dataset."""
    return f"dataset:{namespace}:{name}"


def job_node_id(namespace: str, name: str) -> str:
    """The Marquez node id of a job."""
    return f"job:{namespace}:{name}"


def parse_node_id(value: str) -> tuple[NodeKind, str, str]:
    """``(kind, namespace, name)`` of a node id; :class:`MalformedNodeId` saying what is wrong."""
    prefix, _, rest = value.partition(":")
    kind = _PREFIXES.get(prefix)
    if kind is None:
        raise MalformedNodeId(f"node id {value!r} must start with 'dataset:' or 'job:'")
    if "#" in rest:
        raise MalformedNodeId(f"node id {value!r}: versioned node ids ('#<version>') are not supported")
    match = _SEPARATOR.search(rest)
    namespace, name = (rest[: match.start()], rest[match.end():]) if match else (rest, "")
    if not namespace or not name:
        raise MalformedNodeId(f"node id {value!r} must be '{prefix}:<namespace>:<name>'")
    return kind, namespace, name


@dataclass(frozen=True)
class LineageSlice:
    """The answer to a lineage query: the Marquez ``graph`` array as JSON, and how the limits shaped it."""

    graph_json: bytes
    node_count: int
    requested_depth: int
    depth: int
    depth_capped: bool
    max_nodes: int
    truncated: bool

    @cached_property
    def nodes(self) -> list[dict[str, Any]]:
        """The Marquez nodes ``{"id", "type", "data", "inEdges", "outEdges"}``."""
        result: list[dict[str, Any]] = json.loads(b"[" + self.graph_json + b"]")
        return result

    @property
    def limits(self) -> dict[str, Any]:
        return {
            "requestedDepth": self.requested_depth,
            "depth": self.depth,
            "depthCapped": self.depth_capped,
            "maxNodes": self.max_nodes,
            "nodeCount": self.node_count,
            "truncated": self.truncated,
        }

    def response_json(self) -> bytes:
        """The body of ``GET /api/v1/lineage``: ``{"graph": [...], "limits": {...}}``."""
        return b'{"graph":[' + self.graph_json + b'],"limits":' + compact_json(self.limits) + b"}"


class LineageGraph:
    """Datasets and jobs with their edges, held in memory for fast traversal.

    Per node it keeps the JSON of its id, type and data and of each edge, and the whole node's JSON once asked for;
    a node whose neighbours are all in an answer (most nodes of most answers) is copied into it as it is.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[str, int] = {}
        self._ids: list[str] = []
        self._is_job: list[bool] = []
        self._data: list[dict[str, Any]] = []
        self._ins: list[list[int]] = []
        self._outs: list[list[int]] = []
        self._adjacent: list[list[int]] = []  # ins + outs, the order traversal looks at them
        self._in_json: list[list[bytes]] = []  # JSON of each edge, beside _ins
        self._out_json: list[list[bytes]] = []
        self._head: list[bytes] = []  # '{"id":…,"type":…,"data":…,"inEdges":['
        self._id_json: list[bytes] = []  # each node id as JSON, for its head and its edges
        self._whole: list[bytes | None] = []  # the node with all its edges
        self._edges: set[tuple[int, int]] = set()

    # writing ---------------------------------------------------------------------------------------------------

    def put_node(self, node_id: str, kind: NodeKind, data: dict[str, Any], data_json: bytes | None = None) -> None:
        """Add a node or replace its data; ``data_json``, if given, is ``data`` already encoded as compact JSON
        (the store encodes it once for its row and for the graph)."""
        with self._lock:
            index = self._index.get(node_id)
            if index is None:
                self._index[node_id] = len(self._ids)
                self._ids.append(node_id)
                self._is_job.append(kind == JOB)
                self._data.append(data)
                for lists in (self._ins, self._outs, self._adjacent, self._in_json, self._out_json):
                    lists.append([])
                self._id_json.append(compact_json(node_id))
                self._head.append(_head(self._id_json[-1], kind, data, data_json))
                self._whole.append(None)
            else:
                self._data[index] = data
                self._head[index] = _head(self._id_json[index], kind, data, data_json)
                self._whole[index] = None

    def add_edge(self, origin: str, destination: str) -> bool:
        """Add the edge ``origin → destination`` between known nodes; False if it was already there."""
        with self._lock:
            o, d = self._index[origin], self._index[destination]
            if (o, d) in self._edges:
                return False
            self._edges.add((o, d))
            edge = b'{"origin":' + self._id_json[o] + b',"destination":' + self._id_json[d] + b"}"
            self._outs[o].append(d)
            self._out_json[o].append(edge)
            self._ins[d].append(o)
            self._in_json[d].append(edge)
            self._adjacent[o].append(d)
            self._adjacent[d].append(o)
            self._whole[o] = self._whole[d] = None
            return True

    def warm(self) -> None:
        """Build the JSON of every node with all its edges now (after loading), not during the first answers."""
        with self._lock:
            for index, fragment in enumerate(self._whole):
                if fragment is None:
                    self._whole_of(index)

    # reading ---------------------------------------------------------------------------------------------------

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def edge_count(self) -> int:
        return len(self._edges)

    def has_edge(self, origin: str, destination: str) -> bool:
        o, d = self._index.get(origin), self._index.get(destination)
        return o is not None and d is not None and (o, d) in self._edges

    def data(self, node_id: str) -> dict[str, Any]:
        """The data of a node; :class:`UnknownNode` if there is none."""
        index = self._index.get(node_id)
        if index is None:
            raise UnknownNode(node_id)
        return self._data[index]

    def neighbours(self, node_id: str) -> tuple[list[str], list[str]]:
        """``(upstream, downstream)`` node ids of a node."""
        with self._lock:
            index = self._index.get(node_id)
            if index is None:
                raise UnknownNode(node_id)
            return [self._ids[i] for i in self._ins[index]], [self._ids[i] for i in self._outs[index]]

    def lineage(self, node_id: str, depth: int, *, max_depth: int, max_nodes: int) -> LineageSlice:
        """The Marquez lineage graph around ``node_id``: jobs up to ``depth`` hops away and their datasets.

        ``depth`` is capped at ``max_depth``; jobs are taken nearest first while the answer can stay within
        ``max_nodes`` nodes, and the slice says whether either limit cut it short. Nodes come nearest first, those
        at the boundary of the answer last (Marquez sorts them by id; no client relies on the order).
        """
        if depth < 0:
            raise ValueError("depth must be zero or more")
        applied = min(depth, max_depth)
        with self._lock:
            start = self._index.get(node_id)
            if start is None:
                raise UnknownNode(node_id)
            order, complete, truncated = self._traverse(start, applied, max_nodes)
            graph_json = self._assemble(order, complete)
        return LineageSlice(graph_json, len(order), depth, applied, applied < depth, max_nodes, truncated)

    def _traverse(self, start: int, depth: int, max_nodes: int) -> tuple[dict[int, None], set[int], bool]:
        """The nodes of the answer, nearest first, and those whose every neighbour is in it too.

        A job brings all its datasets, so its edges are complete; so are a dataset's once all its jobs were taken.
        """
        adjacent = self._adjacent
        chosen: dict[int, None] = {}  # an ordered set
        complete: set[int] = set()
        if self._is_job[start]:
            candidates, marked = [start], []
        else:
            chosen[start] = None
            complete.add(start)
            candidates, marked = list(dict.fromkeys(adjacent[start])), [start]
        frontier: list[int] = []
        for level in range(depth + 1):
            if level:
                candidates, marked = self._next_jobs(frontier, complete)
            frontier = []
            for job in candidates:
                if job in chosen:
                    continue
                datasets = adjacent[job]
                # An upper bound (some datasets may be in already): the answer never exceeds max_nodes.
                if len(chosen) + len(datasets) >= max_nodes:
                    # Datasets reached on this level may have jobs left out after all.
                    complete.difference_update(d for d in marked if any(j not in chosen for j in adjacent[d]))
                    return chosen, complete, True
                chosen[job] = None
                for dataset in datasets:
                    chosen[dataset] = None
                complete.add(job)
                frontier.append(job)
            if not frontier:
                break
        return chosen, complete, False

    def _next_jobs(self, frontier: list[int], complete: set[int]) -> tuple[list[int], list[int]]:
        """Jobs sharing a dataset with a frontier job, and those datasets (all their jobs are now candidates)."""
        adjacent = self._adjacent
        found: list[int] = []
        marked: list[int] = []
        for job in frontier:
            for dataset in adjacent[job]:
                if dataset not in complete:
                    found += adjacent[dataset]
                    complete.add(dataset)
                    marked.append(dataset)
        return found, marked

    def _assemble(self, order: dict[int, None], complete: set[int]) -> bytes:
        """The answer's JSON: nodes with all their edges as kept, then the boundary nodes with the edges inside."""
        whole, heads, in_json, out_json, ins, outs = (
            self._whole, self._head, self._in_json, self._out_json, self._ins, self._outs
        )
        inside = order.__contains__
        parts = [whole[index] or self._whole_of(index) for index in order if index in complete]
        # compress/map keep the edge filtering in C: boundary nodes are the costly part of an answer.
        parts += [
            b"".join((heads[index], b",".join(compress(in_json[index], map(inside, ins[index]))), _BETWEEN_EDGES,
                      b",".join(compress(out_json[index], map(inside, outs[index]))), _END_OF_NODE))
            for index in order if index not in complete
        ]
        return b",".join(parts)

    def _whole_of(self, index: int) -> bytes:
        fragment = self._whole[index] = (self._head[index] + b",".join(self._in_json[index]) + _BETWEEN_EDGES
                                         + b",".join(self._out_json[index]) + _END_OF_NODE)
        return fragment


_BETWEEN_EDGES = b'],"outEdges":['
_END_OF_NODE = b"]}"


_KIND_JSON = {DATASET: b'"DATASET"', JOB: b'"JOB"'}


def _head(id_json: bytes, kind: NodeKind, data: dict[str, Any], data_json: bytes | None = None) -> bytes:
    """The JSON of a node up to its edges (encoded once per change of the node, not per answer)."""
    encoded = compact_json(data) if data_json is None else data_json
    return b'{"id":' + id_json + b',"type":' + _KIND_JSON[kind] + b',"data":' + encoded + b',"inEdges":['


# One encoder for every call: json.dumps with options builds a new encoder each time.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def compact_json(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, the encoding of every fragment of an answer."""
    return _ENCODE(value).encode()


def compact_text(value: Any) -> str:
    """``value`` as compact JSON text (what a JSON column stores)."""
    return "{}" if isinstance(value, dict) and not value else _ENCODE(value)
