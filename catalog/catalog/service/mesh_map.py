"""Use case of the map of the mesh: gather what the catalog holds and let :mod:`catalog.domain.mesh_map` draw it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Protocol

from catalog.domain.lineage_graph import LineageGraph, dataset_node_id
from catalog.domain.mesh_map import ConsumerJob, Marker, MeshMap, build_mesh_map, parse_grant_scope
from catalog.domain.model import Consumer, DataProduct
from catalog.domain.quality_results import QualityResultRow

QualityOf = Callable[[str, str, int], list[QualityResultRow]]
MarkersOf = Callable[[list[DataProduct]], dict[str, list[Marker]]]


class ProductsAndConsumers(Protocol):
    def products(self) -> tuple[list[DataProduct], int]: ...

    def consumers(self) -> list[Consumer]: ...


class GrantedScope(Protocol):
    client_id: str
    scope: str


class OpenIncident(Protocol):
    id: int | None
    domain: str
    product: str
    major: int
    rule: str
    severity: str
    title: str


def incident_markers(incidents: Iterable[OpenIncident]) -> dict[str, list[Marker]]:
    """Markers of open incidents by product node (``warning`` incidents warn, others are bad)."""
    markers: dict[str, list[Marker]] = {}
    for incident in incidents:
        node = dataset_node_id(f"octagon.{incident.domain}", f"{incident.product}.v{incident.major}")
        severity = "warn" if incident.severity == "warning" else "bad"
        link = f"/incidents/{incident.id}" if incident.id is not None else None
        markers.setdefault(node, []).append(Marker("incident", severity, f"incident: {incident.title}", link))
    return markers


class MeshMapService:
    """The map from the registry, the lineage graph, active grants, quality results and (when the catalog keeps
    them) incidents; each source is a callable so tests hand in fakes."""

    def __init__(
        self,
        registry: ProductsAndConsumers,
        graph: LineageGraph,
        grants: Callable[[], Iterable[GrantedScope]],
        quality: QualityOf,
        incidents: MarkersOf | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.registry = registry
        self.graph = graph
        self.grants = grants
        self.quality = quality
        self.incidents = incidents
        self.clock = clock

    def build(self) -> MeshMap:
        products, _ = self.registry.products()
        # Open incidents are what people act on (a failing check opens one and its passing closes it); without an
        # incidents model, failing and warning quality results are marked instead.
        markers = self.incidents(products) if self.incidents is not None else self._quality_markers(products)
        grants = [grant for held in self.grants() if (grant := parse_grant_scope(held.client_id, held.scope))]
        return build_mesh_map(products, self.registry.consumers(), self._consumer_jobs(products), grants, markers,
                              self._today())

    def _today(self) -> date:
        return self.clock().date()

    def _consumer_jobs(self, products: list[DataProduct]) -> list[ConsumerJob]:
        """The jobs next to each product dataset in the lineage graph, with the product datasets they read and write."""
        reads: dict[str, list[str]] = {}
        writes: dict[str, list[str]] = {}
        for product in products:
            for major in product.versions:
                dataset = dataset_node_id(f"octagon.{product.domain}", f"{product.product}.v{major}")
                if dataset not in self.graph:
                    continue
                upstream, downstream = self.graph.neighbours(dataset)
                for job in downstream:
                    reads.setdefault(job, []).append(dataset)
                for job in upstream:
                    writes.setdefault(job, []).append(dataset)
        return [ConsumerJob(job, tuple(reads.get(job, ())), tuple(writes.get(job, ())))
                for job in dict.fromkeys([*reads, *writes])]

    def _quality_markers(self, products: list[DataProduct]) -> dict[str, list[Marker]]:
        markers: dict[str, list[Marker]] = {}
        for product in products:
            for major in product.versions:
                node = dataset_node_id(f"octagon.{product.domain}", f"{product.product}.v{major}")
                link = f"/products/{product.domain}/{product.product}#v{major}"
                for row in self.quality(product.domain, product.product, major):
                    if row.status == "passed":
                        continue
                    severity = "warn" if row.status == "warned" else "bad"
                    title = f"quality rule {row.rule} {row.status}" + (f" ({row.scope})" if row.scope else "")
                    markers.setdefault(node, []).append(Marker("quality", severity, title, link))
        return markers
