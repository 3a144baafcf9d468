"""Server-side layout of the map of the mesh for SVG: one lane per domain, flow from left to right.

Each domain is a horizontal lane holding its product majors and its consumer groups (and its service's HTTP reads);
readers outside the domains get a lane of their own. Columns are the layers of the flow (a product, the consumers
reading it one column right, the products they write one further), so the picture reads upstream to downstream.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.domain.mesh_map import MapConsumer, MapProduct, MeshMap
from catalog.ui.graph_layout import LAYER_GAP, NODE_HEIGHT, NODE_WIDTH, ROW_GAP, edge_path, layer_of

LANE_LABEL = 120  # width of the lane's title column
LANE_PADDING = 14
MARGIN = 16
OUTSIDE = "outside the domains"


@dataclass(frozen=True)
class MapNode:
    id: str
    kind: str  # product, kafka, http, grant
    label: str
    sublabel: str
    link: str
    x: float
    y: float
    classes: str
    title: str
    badge: str | None  # e.g. "2" problems on a product


@dataclass(frozen=True)
class MapLane:
    name: str
    y: float
    height: float


@dataclass(frozen=True)
class MapPathEdge:
    origin: str
    destination: str
    path: str
    classes: str
    title: str


@dataclass(frozen=True)
class MapPicture:
    width: float
    height: float
    lanes: list[MapLane]
    nodes: list[MapNode]
    edges: list[MapPathEdge]
    node_width: int = NODE_WIDTH
    node_height: int = NODE_HEIGHT


def layout_map(mesh: MeshMap) -> MapPicture:
    """Place every product major and consumer of ``mesh`` in its domain's lane and route the edges."""
    ids = [p.id for p in mesh.products] + [c.id for c in mesh.consumers]
    pairs = [(e.origin, e.destination) for e in mesh.edges]
    layer = layer_of(ids, pairs)
    lane_of = {p.id: p.domain for p in mesh.products} | {c.id: c.domain or OUTSIDE for c in mesh.consumers}
    lane_names = [*mesh.domains, *([OUTSIDE] if OUTSIDE in lane_of.values() else [])]
    positions: dict[str, tuple[float, float]] = {}
    lanes: list[MapLane] = []
    y = MARGIN
    for lane in lane_names:
        members = [node for node in ids if lane_of[node] == lane]
        columns: dict[int, list[str]] = {}
        for node in members:
            columns.setdefault(layer[node], []).append(node)
        rows = max((len(column) for column in columns.values()), default=1)
        height = 2 * LANE_PADDING + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP
        for column, stacked in columns.items():
            for row, node in enumerate(stacked):
                positions[node] = (MARGIN + LANE_LABEL + column * (NODE_WIDTH + LAYER_GAP),
                                   y + LANE_PADDING + row * (NODE_HEIGHT + ROW_GAP))
        lanes.append(MapLane(lane, y, height))
        y += height + ROW_GAP
    columns_used = max(layer.values(), default=0) + 1
    width = 2 * MARGIN + LANE_LABEL + columns_used * NODE_WIDTH + (columns_used - 1) * LAYER_GAP
    kinds = {c.id: c.kind for c in mesh.consumers}
    nodes = [_product(p, positions[p.id]) for p in mesh.products] + [_consumer(c, positions[c.id]) for c in mesh.consumers]
    edges = [MapPathEdge(e.origin, e.destination, edge_path(e.origin, e.destination, positions),
                         " ".join(filter(None, ["edge", e.kind, kinds.get(e.destination) or kinds.get(e.origin),
                                                "granted" if e.granted else ""])),
                         f"{e.origin} {e.kind.replace('reads', 'read by').replace('writes', 'writes')} {e.destination}"
                         if e.kind != "reads" else f"{e.destination} reads {e.origin}")
             for e in mesh.edges]
    return MapPicture(width, max(y - ROW_GAP + MARGIN, 2 * MARGIN), lanes, nodes, edges)


def _product(product: MapProduct, at: tuple[float, float]) -> MapNode:
    # Two short lines fit a node: a sunset date matters more than the version (the tooltip and table say all).
    if product.sunset_date:
        parts = [product.status, f"sunset {product.sunset_date.isoformat()}"]
    else:
        parts = [product.version, product.status]
        if product.grants:
            parts.append(f"{len(product.grants)} grant{'' if len(product.grants) == 1 else 's'}")
    problems = [m for m in product.markers if m.severity == "bad"] or product.markers
    classes = ["node", "product", f"status-{product.status}", f"health-{product.health}"]
    if product.deprecated:
        classes.append("deprecated")
    title = "; ".join([product.id, *(m.title for m in product.markers),
                       *([f"read grants: {', '.join(product.grants)}"] if product.grants else []),
                       *([f"personal-data grants: {', '.join(product.pii_grants)}"] if product.pii_grants else [])])
    return MapNode(product.id, "product", f"{product.product} v{product.major}", " · ".join(parts),
                   f"/products/{product.domain}/{product.product}#v{product.major}", at[0], at[1], " ".join(classes),
                   title, str(len(problems)) if problems else None)


_KIND_LABEL = {"kafka": "Kafka consumer group", "http": "HTTP reader", "grant": "granted, not seen reading"}


def _consumer(consumer: MapConsumer, at: tuple[float, float]) -> MapNode:
    link = (f"/lineage?nodeId={consumer.id}&depth=1" if consumer.kind != "grant" else "/access")
    return MapNode(consumer.id, consumer.kind, consumer.name, _KIND_LABEL[consumer.kind], link, at[0], at[1],
                   f"node consumer {consumer.kind}", f"{consumer.id} ({_KIND_LABEL[consumer.kind]})", None)
