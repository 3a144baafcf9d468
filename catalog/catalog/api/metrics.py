"""What the catalog holds, as Prometheus gauges next to the request metrics on ``/metrics``."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from catalog.domain.lineage_graph import LineageGraph
from catalog.service.registry import RegistryService

log = logging.getLogger(__name__)


class CatalogCollector:
    """Registered versions per domain and lifecycle state; lineage nodes and edges."""

    def __init__(self, registry: RegistryService, graph: LineageGraph) -> None:
        self.registry = registry
        self.graph = graph

    def collect(self) -> Iterator[Metric]:
        versions = GaugeMetricFamily("catalog_product_versions", "Registered product versions", labels=["domain", "status"])
        try:
            for domain, counts in self.registry.domains().items():
                for status, count in counts.items():
                    if status != "products":
                        versions.add_metric([domain, status], count)
        except Exception:  # a store that is down has no figures; /ready reports it
            log.debug("registry figures unavailable", exc_info=True)
        yield versions
        yield GaugeMetricFamily("catalog_lineage_nodes", "Datasets and jobs in the lineage graph", value=len(self.graph))
        yield GaugeMetricFamily("catalog_lineage_edges", "Edges of the lineage graph", value=self.graph.edge_count)
