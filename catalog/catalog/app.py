"""The catalog service: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from catalog.access_wiring import build_access, register_clients_file
from catalog.adapters.lineage_store import SqlLineageStore
from catalog.adapters.quality_results import product_quality
from catalog.adapters.service_probe import ServiceProbe
from catalog.adapters.snapshot_probe import SnapshotProbe
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.api.access import access_router
from catalog.api.glossary import glossary_router
from catalog.api.lineage import lineage_router
from catalog.api.mesh_map import mesh_map_router
from catalog.api.metrics import CatalogCollector
from catalog.api.oauth import oauth_router
from catalog.api.products import registry_router
from catalog.domain.lineage_graph import LineageGraph
from catalog.glossary_wiring import build_glossary
from catalog.service.lineage import LineageLimits, LineageService
from catalog.service.mesh_map import MeshMapService, incident_markers
from catalog.service.registry import RegistryService
from catalog.settings import CatalogSettings
from catalog.trust_wiring import build_trust, install_trust
from catalog.ui.access_routes import access_ui_router
from catalog.ui.analytical_panel import AnalyticalPanels
from catalog.ui.glossary_routes import glossary_ui_router
from catalog.ui.map_routes import map_ui_router
from catalog.ui.routes import STATIC_DIR, ui_router
from catalog.ui.security_headers import SecurityHeadersMiddleware
from mesh_platform.auth.scopes import CATALOG_ADMIN_SCOPE
from mesh_platform.http.edge import install_http_edge
from mesh_platform.http.operations import (
    HttpMetrics,
    ReadinessProbe,
    RequestMetricsMiddleware,
    operations_router,
    store_check,
)
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_store

MIGRATIONS = Path(__file__).parent / "migrations"
_SWITCH_INTERVAL = 0.0005  # seconds


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    """The catalog: registry, governance, search, consumers, OpenLineage lineage and the web UI."""
    settings = settings or CatalogSettings()
    engine = create_store_engine(settings.store_url)
    graph = LineageGraph()
    store = SqlLineageStore(engine, graph)
    limits = LineageLimits(settings.lineage_default_depth, settings.lineage_max_depth, settings.lineage_max_nodes)
    lineage = LineageService(store, graph, limits)
    registry = RegistryService(lambda: SqlCatalogUnitOfWork(engine), lineage)
    glossary = build_glossary(settings, registry)
    probe = ServiceProbe()
    access, authorizer = build_access(settings, engine, registry)
    snapshot_probe = SnapshotProbe(access.key.sign, access.issuer, access.audience, settings.service_urls)
    mesh_map = MeshMapService(
        registry, graph, grants=lambda: access.grants("", frozenset({CATALOG_ADMIN_SCOPE})),
        quality=lambda domain, product, major: product_quality(engine, domain, product, major),
        incidents=lambda _products: incident_markers(trust.incidents.list(open_only=True, limit=1000)),
    )
    trust = build_trust(settings, engine, registry, lineage)
    metrics_registry = CollectorRegistry()
    metrics_registry.register(CatalogCollector(registry, graph))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        upgrade_store(engine, MIGRATIONS)
        register_clients_file(settings, access)
        store.load()
        registry.link_consumers()  # consumers reported while lineage could not record them
        # The graph lives as long as the process: keep full garbage collections from walking it again and again.
        gc.freeze()
        # The ingestion thread runs Python flat out while lineage arrives; a thread waiting for the interpreter lock
        # (the event loop, back from a socket) gets it after at most this long (CPython's default is 5 ms, and a
        # request takes several such hand-overs), so other requests stay quick under ingestion load.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(_SWITCH_INTERVAL)
        trust.start()
        try:
            yield
        finally:
            sys.setswitchinterval(switch_interval)
            trust.stop()
            probe.close()
            snapshot_probe.close()
            engine.dispose()

    app = FastAPI(
        title="Octagon Mesh — catalog",
        description="Registry of the mesh's data products: governance verdicts, versions and consumers, search, "
        "OpenLineage lineage (Marquez-compatible API) and the web UI.",
        version="1.0.0",
        lifespan=lifespan,
    )
    install_http_edge(app, settings)
    app.add_middleware(RequestMetricsMiddleware, metrics=HttpMetrics(metrics_registry, settings.service_name))
    app.add_middleware(SecurityHeadersMiddleware)
    app.include_router(operations_router(ReadinessProbe({"store": store_check(engine)}), metrics_registry))
    app.include_router(oauth_router())
    app.include_router(access_router())
    app.include_router(registry_router())
    app.include_router(lineage_router())
    app.include_router(mesh_map_router())
    app.include_router(glossary_router())
    app.include_router(ui_router())
    app.include_router(glossary_ui_router())
    app.include_router(access_ui_router())
    app.include_router(map_ui_router())
    install_trust(app, trust, metrics_registry)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.state.settings = settings
    app.state.registry = registry
    app.state.lineage = lineage
    app.state.mesh_map = mesh_map
    app.state.glossary = glossary
    app.state.probe = probe
    app.state.analytical_panels = AnalyticalPanels(snapshot_probe, settings.service_urls)
    app.state.access = access
    app.state.authorizer = authorizer
    app.state.engine = engine
    return app
