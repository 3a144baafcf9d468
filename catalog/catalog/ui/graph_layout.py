"""Server-side layout of a lineage graph for SVG: layers from upstream to downstream, few crossings.

A small Sugiyama-style layout: break cycles, put each node one layer right of its furthest upstream neighbour,
order each layer by the mean position of its neighbours (a few sweeps each way), then draw edges as curves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

NODE_WIDTH = 210
NODE_HEIGHT = 46
LAYER_GAP = 90
ROW_GAP = 22
MARGIN = 24
SWEEPS = 4


@dataclass(frozen=True)
class PlacedNode:
    id: str
    kind: str
    label: str
    sublabel: str
    state: str | None
    x: float
    y: float
    focus: bool


@dataclass(frozen=True)
class PlacedEdge:
    origin: str
    destination: str
    path: str


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]
    node_width: int = NODE_WIDTH
    node_height: int = NODE_HEIGHT


def layout_graph(graph: list[dict[str, Any]], focus: str) -> Layout:
    """Place the nodes of a Marquez ``graph`` (ids, types, edges) and route its edges."""
    ids = [node["id"] for node in graph]
    known = set(ids)
    edges = sorted({
        (edge["origin"], edge["destination"])
        for node in graph
        for edge in node["outEdges"]
        if edge["origin"] in known and edge["destination"] in known
    })
    forward = _acyclic(ids, edges)
    layer = _layers(ids, forward)
    rows = _order(ids, forward, layer)
    positions: dict[str, tuple[float, float]] = {}
    tallest = max((len(row) for row in rows), default=1)
    height = 2 * MARGIN + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP
    for column, row in enumerate(rows):
        offset = (height - (len(row) * NODE_HEIGHT + (len(row) - 1) * ROW_GAP)) / 2
        for index, node_id in enumerate(row):
            positions[node_id] = (MARGIN + column * (NODE_WIDTH + LAYER_GAP), offset + index * (NODE_HEIGHT + ROW_GAP))
    width = 2 * MARGIN + len(rows) * NODE_WIDTH + max(len(rows) - 1, 0) * LAYER_GAP
    placed = [_placed(node, positions[node["id"]], focus) for node in graph]
    return Layout(width, height, placed, [_edge(o, d, positions) for o, d in edges])


def _acyclic(ids: list[str], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges with those closing a cycle reversed (depth-first, in id order: stable between requests)."""
    out: dict[str, list[str]] = defaultdict(list)
    for origin, destination in edges:
        out[origin].append(destination)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in ids:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(out[child])))
    return [(d, o) if (o, d) in back else (o, d) for o, d in edges]


def _layers(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    incoming: dict[str, list[str]] = defaultdict(list)
    outgoing: dict[str, list[str]] = defaultdict(list)
    for origin, destination in edges:
        incoming[destination].append(origin)
        outgoing[origin].append(destination)
    pending = {node: len(incoming[node]) for node in ids}
    ready = [node for node in ids if pending[node] == 0]
    layer = {node: 0 for node in ids}
    while ready:
        node = ready.pop()
        for child in outgoing[node]:
            layer[child] = max(layer[child], layer[node] + 1)
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    return layer


def _order(ids: list[str], edges: list[tuple[str, str]], layer: dict[str, int]) -> list[list[str]]:
    columns = max(layer.values(), default=0) + 1
    rows: list[list[str]] = [[] for _ in range(columns)]
    for node in sorted(ids):
        rows[layer[node]].append(node)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for origin, destination in edges:
        neighbours[origin].append(destination)
        neighbours[destination].append(origin)
    for sweep in range(SWEEPS):
        sequence = range(1, columns) if sweep % 2 == 0 else range(columns - 2, -1, -1)
        for column in sequence:
            reference = {node: i for i, node in enumerate(rows[column - 1 if sweep % 2 == 0 else column + 1])}
            rows[column].sort(key=lambda node: _barycenter(node, neighbours, reference))
    return rows


def _barycenter(node: str, neighbours: dict[str, list[str]], reference: dict[str, int]) -> float:
    placed = [reference[other] for other in neighbours[node] if other in reference]
    return sum(placed) / len(placed) if placed else float("inf")


def _placed(node: dict[str, Any], at: tuple[float, float], focus: str) -> PlacedNode:
    data = node.get("data") or {}
    namespace = str(data.get("namespace") or node["id"].split(":", 2)[1])
    latest = data.get("latestRun") if node["type"] == "JOB" else None
    return PlacedNode(
        id=node["id"],
        kind=node["type"],
        label=str(data.get("name") or node["id"].rsplit(":", 1)[-1]),
        sublabel=namespace,
        state=latest.get("state") if isinstance(latest, dict) else None,
        x=at[0],
        y=at[1],
        focus=node["id"] == focus,
    )


def _edge(origin: str, destination: str, positions: dict[str, tuple[float, float]]) -> PlacedEdge:
    (ox, oy), (dx, dy) = positions[origin], positions[destination]
    if dx > ox:  # left to right: from the right side of the origin to the left side of the destination
        start = (ox + NODE_WIDTH, oy + NODE_HEIGHT / 2)
        end = (dx, dy + NODE_HEIGHT / 2)
    else:  # a reversed (cycle) edge curves back along the bottom
        start = (ox + NODE_WIDTH / 2, oy + NODE_HEIGHT)
        end = (dx + NODE_WIDTH / 2, dy + NODE_HEIGHT)
    bend = max(abs(end[0] - start[0]) / 2, 40)
    path = (f"M{start[0]:.1f},{start[1]:.1f} C{start[0] + bend:.1f},{start[1]:.1f} "
            f"{end[0] - bend:.1f},{end[1]:.1f} {end[0]:.1f},{end[1]:.1f}")
    return PlacedEdge(origin, destination, path)


def layer_of(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """The layer (column) of each node: one right of its furthest upstream neighbour, cycles broken."""
    return _layers(ids, _acyclic(ids, edges))


def edge_path(origin: str, destination: str, positions: dict[str, tuple[float, float]]) -> str:
    """The SVG path of an edge between two placed nodes (of this module's node size)."""
    return _edge(origin, destination, positions).path
