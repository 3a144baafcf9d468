"""The map of the mesh: every domain, product major and consumer, and what flows between them.

Built from what the catalog already holds — registered product versions, consumers the services reported, the
lineage graph (consumer jobs ``octagon.consumers`` / ``kafka.<group>`` and ``http.<subject>`` with the datasets they
read and write), access grants and quality results — never from a second source. Pure: the service layer gathers
the facts, this module decides what the map says.

Nodes are named like lineage nodes (``dataset:octagon.<domain>:<product>.v<major>``,
``job:octagon.consumers:kafka.<group>``), so the map, the lineage API and the product pages speak of the same things.
A grant holder that has not read yet appears as ``client:<client id>`` joined by a ``granted`` edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from catalog.domain.lineage_graph import dataset_node_id, job_node_id
from catalog.domain.model import Consumer, DataProduct, Lifecycle

CONSUMERS_NAMESPACE = "octagon.consumers"
ConsumerNodeKind = Literal["kafka", "http", "grant"]
EdgeKind = Literal["reads", "writes", "granted"]
_CONSUMER_KINDS = {"subscription": "kafka", "http": "http"}


@dataclass(frozen=True)
class MapGrant:
    """An active grant: ``client`` may read ``domain/product`` v``major`` (``major`` None: a PII grant of every
    major)."""

    client: str
    domain: str
    product: str
    major: int | None
    pii: bool


@dataclass(frozen=True)
class Marker:
    """Something wrong with a product major that the map shows on it: an incident or a failing quality rule."""

    kind: str  # "incident" or "quality"
    severity: str  # "bad" (failed, open incident) or "warn"
    title: str
    link: str | None = None


@dataclass
class MapProduct:
    id: str
    domain: str
    product: str
    major: int
    version: str
    status: str
    sunset_date: date | None
    sunset_passed: bool
    topic: str
    grants: list[str] = field(default_factory=list)  # clients holding read access
    pii_grants: list[str] = field(default_factory=list)  # clients holding the product's personal data
    markers: list[Marker] = field(default_factory=list)

    @property
    def deprecated(self) -> bool:
        return self.status in (Lifecycle.DEPRECATED.value, Lifecycle.RETIRED.value)

    @property
    def health(self) -> str:
        """``bad`` with an open incident or failing rule, ``warn`` with a warning, else ``ok``."""
        severities = {marker.severity for marker in self.markers}
        return "bad" if "bad" in severities else "warn" if severities else "ok"


@dataclass
class MapConsumer:
    id: str
    kind: ConsumerNodeKind
    name: str  # the consumer group, token subject or client id
    domain: str | None  # the domain a consumer group belongs to (None: a reader outside the mesh's domains)


@dataclass(frozen=True)
class MapEdge:
    origin: str
    destination: str
    kind: EdgeKind
    granted: bool = False  # the consumer holds an active grant of the product it reads


@dataclass
class MeshMap:
    domains: list[str]
    products: list[MapProduct]
    consumers: list[MapConsumer]
    edges: list[MapEdge]

    def as_dict(self) -> dict[str, Any]:
        return {
            "domains": [{"name": name,
                         "products": [p.id for p in self.products if p.domain == name],
                         "consumers": [c.id for c in self.consumers if c.domain == name]} for name in self.domains],
            "products": [{
                "id": p.id, "domain": p.domain, "product": p.product, "major": p.major, "version": p.version,
                "status": p.status, "deprecated": p.deprecated,
                "sunset_date": p.sunset_date.isoformat() if p.sunset_date else None, "sunset_passed": p.sunset_passed,
                "topic": p.topic, "health": p.health, "grants": p.grants, "pii_grants": p.pii_grants,
                "markers": [{"kind": m.kind, "severity": m.severity, "title": m.title, "link": m.link}
                            for m in p.markers],
                "url": f"/api/v1/data-products/{p.domain}/{p.product}",
            } for p in self.products],
            "consumers": [{"id": c.id, "kind": c.kind, "name": c.name, "domain": c.domain} for c in self.consumers],
            "edges": [{"origin": e.origin, "destination": e.destination, "kind": e.kind, "granted": e.granted}
                      for e in self.edges],
        }


@dataclass(frozen=True)
class ConsumerJob:
    """A consumer job of the lineage graph with the datasets it reads and writes (node ids)."""

    job_id: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


def consumer_job_name(node_id: str) -> tuple[ConsumerNodeKind, str] | None:
    """``("kafka", group)`` or ``("http", subject)`` of a consumer job's node id; None for any other node."""
    prefix = f"job:{CONSUMERS_NAMESPACE}:"
    if not node_id.startswith(prefix):
        return None
    kind, _, name = node_id.removeprefix(prefix).partition(".")
    if kind not in ("kafka", "http") or not name:
        return None
    return kind, name  # type: ignore[return-value]


def parse_grant_scope(client: str, scope: str) -> MapGrant | None:
    """The grant a scope names (``read:<domain>.<product>.v<major>`` or ``pii:<domain>.<product>``); None otherwise."""
    action, _, target = scope.partition(":")
    if action == "read":
        rest, _, major = target.rpartition(".v")
        domain, _, product = rest.partition(".")
        if domain and product and major.isdigit():
            return MapGrant(client, domain, product, int(major), pii=False)
    elif action == "pii":
        domain, _, product = target.partition(".")
        if domain and product:
            return MapGrant(client, domain, product, None, pii=True)
    return None


def build_mesh_map(
    products: Iterable[DataProduct],
    consumers: Iterable[Consumer],
    jobs: Iterable[ConsumerJob],
    grants: Iterable[MapGrant],
    markers: Mapping[str, list[Marker]],
    today: date,
) -> MeshMap:
    """The map from the registry's products and consumers, the lineage graph's consumer jobs, active grants and
    each product major's markers (keyed by its node id)."""
    placed: dict[str, MapProduct] = {}
    for product in sorted(products, key=lambda p: (p.domain, p.product)):
        for major in sorted(product.versions):
            version = product.versions[major]
            node = dataset_node_id(f"octagon.{product.domain}", f"{product.product}.v{major}")
            placed[node] = MapProduct(node, product.domain, product.product, major, version.version,
                                      version.status.value, version.sunset_date, version.sunset_passed(today),
                                      f"{product.domain}.{product.product}.v{major}",
                                      markers=list(markers.get(node, [])))
    known_domains = {p.domain for p in placed.values()}
    nodes: dict[str, MapConsumer] = {}
    edges: dict[tuple[str, str, str], MapEdge] = {}

    def consumer_node(kind: ConsumerNodeKind, name: str) -> str:
        node = job_node_id(CONSUMERS_NAMESPACE, f"{kind}.{name}") if kind != "grant" else f"client:{name}"
        if node not in nodes:
            # A consumer group is named after its domain (``<domain>`` or ``<domain>.<purpose>``); a domain's
            # service client (an HTTP reader, a grant holder) is the client named after the domain.
            owner = name.split(".", 1)[0] if kind == "kafka" else name if name in known_domains else None
            nodes[node] = MapConsumer(node, kind, name, owner)
        return node

    for consumer in consumers:
        origin = dataset_node_id(f"octagon.{consumer.domain}", f"{consumer.product}.v{consumer.major}")
        if origin in placed:
            node = consumer_node(_CONSUMER_KINDS[consumer.kind], consumer.consumer)  # type: ignore[arg-type]
            edges.setdefault((origin, node, "reads"), MapEdge(origin, node, "reads"))
    for job in jobs:
        named = consumer_job_name(job.job_id)
        if named is None:
            continue
        reads = [dataset for dataset in job.reads if dataset in placed]
        writes = [dataset for dataset in job.writes if dataset in placed]
        if not reads and not writes:
            continue
        node = consumer_node(*named)
        for dataset in reads:
            edges.setdefault((dataset, node, "reads"), MapEdge(dataset, node, "reads"))
        for dataset in writes:
            edges.setdefault((node, dataset, "writes"), MapEdge(node, dataset, "writes"))

    holders = _grant_holders(grants, placed)
    for edge_key, edge in list(edges.items()):
        if edge.kind == "reads" and nodes[edge.destination].name in holders.get(edge.origin, set()):
            edges[edge_key] = MapEdge(edge.origin, edge.destination, "reads", granted=True)
    reading = {(edge.origin, nodes[edge.destination].name) for edge in edges.values() if edge.kind == "reads"}
    for dataset, clients in holders.items():
        for client in sorted(clients):
            if (dataset, client) not in reading:  # granted, never seen reading: the grant is the only edge
                node = consumer_node("grant", client)
                edges.setdefault((dataset, node, "granted"), MapEdge(dataset, node, "granted", granted=True))
    domains = sorted({p.domain for p in placed.values()} | {c.domain for c in nodes.values() if c.domain})
    ordered = sorted(nodes.values(), key=lambda c: (c.domain is None, c.domain or "", c.kind, c.name))
    return MeshMap(domains, list(placed.values()), ordered, list(edges.values()))


def _grant_holders(grants: Iterable[MapGrant], placed: dict[str, MapProduct]) -> dict[str, set[str]]:
    """Read-grant holders per product node; PII grants are recorded on every major of their product."""
    holders: dict[str, set[str]] = {}
    for grant in grants:
        for node, product in placed.items():
            if (product.domain, product.product) != (grant.domain, grant.product):
                continue
            if grant.pii:
                if grant.client not in product.pii_grants:
                    product.pii_grants.append(grant.client)
            elif grant.major == product.major:
                holders.setdefault(node, set()).add(grant.client)
                if grant.client not in product.grants:
                    product.grants.append(grant.client)
    for product in placed.values():
        product.grants.sort()
        product.pii_grants.sort()
    return holders
