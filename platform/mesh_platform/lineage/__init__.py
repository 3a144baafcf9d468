"""OpenLineage for the mesh: naming conventions, dataset events from contracts, and a non-blocking emitter."""

from mesh_platform.lineage.emitter import LineageEmitter, catalog_transport
from mesh_platform.lineage.facets import product_dataset_event
from mesh_platform.lineage.naming import (
    DatasetName,
    JobName,
    derivation_job,
    http_reader_job,
    product_dataset,
    subscription_job,
)

__all__ = [
    "DatasetName",
    "JobName",
    "LineageEmitter",
    "catalog_transport",
    "derivation_job",
    "http_reader_job",
    "product_dataset",
    "product_dataset_event",
    "subscription_job",
]
