"""Services talking to the catalog: a client of its API and a background registrar that retries while it is down."""

from mesh_platform.catalog_client.client import (
    CatalogClient,
    CatalogRequestRejected,
    CatalogUnavailable,
    RegistrationRefused,
    RegistrationReply,
)
from mesh_platform.catalog_client.registrar import CatalogRegistrar

__all__ = [
    "CatalogClient",
    "CatalogRegistrar",
    "CatalogRequestRejected",
    "CatalogUnavailable",
    "RegistrationRefused",
    "RegistrationReply",
]
