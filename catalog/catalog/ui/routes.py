"""The web UI: server-rendered pages (Jinja2), no front-end build step."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from catalog.adapters.quality_results import product_quality
from catalog.adapters.service_probe import ServiceProbe
from catalog.api.dependencies import Lineage, Registry, Settings
from catalog.domain.contract_view import ports, quality_rules, record_fields, slos
from catalog.domain.governance import POLICIES, POLICY_DESCRIPTIONS
from catalog.domain.lineage_graph import MalformedNodeId, UnknownNode
from catalog.domain.model import DataProduct, RegistrationOutcome
from catalog.domain.notifications import notification_channels
from catalog.domain.search_document import FACETS
from catalog.domain.search_query import SearchSyntaxError
from catalog.ui.glossary_routes import install_glossary_globals
from catalog.ui.graph_layout import layout_graph
from catalog.ui.snippets import consume_snippets
from catalog.ui.trust_routes import install_trust_globals
from mesh_platform.errors import NotFound

UI_DIR = Path(__file__).parent
TEMPLATES_DIR = UI_DIR / "templates"
STATIC_DIR = UI_DIR / "static"
PAGE_SIZE = 20
PICTURE_MAX_NODES = 150


def service_probe(request: Request) -> ServiceProbe:
    result: ServiceProbe = request.app.state.probe
    return result


Probe = Annotated[ServiceProbe, Depends(service_probe)]


def ui_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["facets"] = FACETS
    templates.env.filters["when"] = _when
    install_glossary_globals(templates.env)
    install_trust_globals(templates.env)

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @router.get("/", response_class=HTMLResponse)
    def home(
        request: Request,
        registry: Registry,
        q: str = "",
        domain: str | None = None,
        tag: str | None = None,
        classification: str | None = None,
        status: str | None = None,
        page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
    ) -> HTMLResponse:
        chosen = {k: v for k, v in {"domain": domain, "tag": tag, "classification": classification, "status": status}.items() if v}
        try:
            results = registry.search(q, chosen, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
        except SearchSyntaxError as e:
            return page(request, "home.html", 400, q=q, chosen=chosen, results=None, error=str(e),
                        domains=registry.domains(), link=_linker(q, chosen), page_number=1, pages=0)
        pages = (results.total + PAGE_SIZE - 1) // PAGE_SIZE
        return page(request, "home.html", q=q, chosen=chosen, results=results, error=None,
                    domains=registry.domains(), link=_linker(q, chosen), page_number=page_number, pages=pages)

    @router.get("/domains/{domain}", response_class=HTMLResponse)
    def domain_page(request: Request, domain: str, registry: Registry) -> HTMLResponse:
        try:
            counts, products = registry.domain(domain)
        except NotFound as e:
            return page(request, "not_found.html", 404, message=e.reason)
        consumers = registry.consumers(domain=domain)
        return page(request, "domain.html", domain=domain, counts=counts, products=products, consumers=consumers)

    @router.get("/products/{domain}/{product}", response_class=HTMLResponse)
    def product_page(
        request: Request, domain: str, product: str, registry: Registry, lineage: Lineage, probe: Probe,
        settings: Settings,
    ) -> HTMLResponse:
        try:
            found = registry.product(domain, product)
        except NotFound as e:
            return page(request, "not_found.html", 404, message=e.reason)
        consumers = registry.consumers(domain=domain, product=product)
        versions = [_version_view(found, v.major, consumers, lineage, probe, settings.base_url,
                                  settings.service_urls.get(domain), settings.service_urls)
                    for v in sorted(found.versions.values(), key=lambda v: v.major, reverse=True)]
        return page(request, "product.html", product=found, versions=versions, today=datetime.now(UTC).date())

    @router.get("/lineage", response_class=HTMLResponse)
    def lineage_page(
        request: Request, lineage: Lineage, nodeId: str = "", depth: Annotated[int, Query(ge=0, le=20)] = 2,  # noqa: N803
    ) -> HTMLResponse:
        if not nodeId:
            return page(request, "not_found.html", 400, message="Choose a dataset or job: /lineage?nodeId=dataset:<namespace>:<name>")
        try:
            found = lineage.lineage(nodeId, depth, max_nodes=PICTURE_MAX_NODES)
        except (MalformedNodeId, UnknownNode) as e:
            status = 400 if isinstance(e, MalformedNodeId) else 404
            return page(request, "not_found.html", status, message=f"No lineage for {nodeId}: {e}")
        picture = layout_graph(found.nodes, nodeId)
        focus = next((node for node in found.nodes if node["id"] == nodeId), None)
        return page(request, "lineage.html", node_id=nodeId, depth=depth, picture=picture, slice=found, focus=focus,
                    product_link=_product_link(nodeId))

    @router.get("/governance", response_class=HTMLResponse)
    def governance_page(request: Request, registry: Registry) -> HTMLResponse:
        products, _ = registry.products()
        refused = registry.registrations(outcome=RegistrationOutcome.REFUSED, limit=20)
        recent = [r for r in registry.registrations(limit=50) if r.outcome is not RegistrationOutcome.UNCHANGED][:20]
        versions = [(p, v) for p in products for v in sorted(p.versions.values(), key=lambda v: -v.major)]
        return page(request, "governance.html", policies=[(p, POLICY_DESCRIPTIONS[p]) for p in POLICIES],
                    versions=versions, refused=refused, recent=recent, today=datetime.now(UTC).date())

    return router


def consumer_lag(
    product: DataProduct, major: int, consumers: list[Any], probe: ServiceProbe, service_urls: dict[str, str]
) -> dict[str, int | None]:
    """How many records each Kafka consumer group of this major has not committed yet, as its service reports.

    A domain's consumer group is named after the domain, so its service is found in the catalog's own configuration.
    """
    topic = f"{product.domain}.{product.product}.v{major}"
    lag: dict[str, int | None] = {}
    for consumer in consumers:
        if consumer.kind == "subscription" and consumer.major == major:
            url = service_urls.get(consumer.consumer)
            lag[consumer.consumer] = probe.status(url).consumer_lag(consumer.consumer, topic) if url else None
    return lag


def _version_view(
    product: DataProduct, major: int, consumers: list[Any], lineage: Any, probe: ServiceProbe, base_url: str,
    service_url: str | None, service_urls: dict[str, str] | None = None,
) -> dict[str, Any]:
    # Only the catalog's own configuration (CATALOG_SERVICE_URLS) says where a service runs: a URL from a
    # registration is never fetched (no SSRF) nor put into the copy-paste line that carries a token.
    version = product.versions[major]
    found_ports = ports(version.contract)
    node_id = f"dataset:octagon.{product.domain}:{product.product}.v{major}"
    return {
        "version": version,
        "ports": found_ports,
        "fields": record_fields(version.contract),
        "slos": slos(version.contract),
        "quality": quality_rules(version.contract),
        "quality_results": product_quality(lineage.store.engine, product.domain, product.product, major),
        "consumers": [c for c in consumers if c.major == major],
        "consumer_lag": consumer_lag(product, major, consumers, probe, service_urls or {}),
        # The contract's support channels with scope notifications (each notification names them among its
        # recipients, beside the consumers it goes to on the topic and their webhooks).
        "notification_channels": notification_channels(version.contract),
        "contract_yaml": yaml.safe_dump(version.contract, sort_keys=False, allow_unicode=True, width=110),
        "contract_url": f"{base_url}/api/v1/data-products/{product.domain}/{product.product}/v{major}/contract",
        "service": probe.status(service_url) if service_url else None,
        "runs": lineage.related_runs(node_id),
        "node_id": node_id,
        "snippets": consume_snippets(product.domain, product.product, major, found_ports, service_url),
    }


def _linker(q: str, chosen: dict[str, str]) -> Callable[..., str]:
    def link(**changes: Any) -> str:
        params = {"q": q, **chosen, **changes}
        return "/?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    return link


def _product_link(node_id: str) -> str | None:
    kind, _, rest = node_id.partition(":")
    namespace, _, name = rest.partition(":")
    product, _, major = name.rpartition(".v")
    if kind != "dataset" or not namespace.startswith("octagon.") or not major.isdigit():
        return None
    return f"/products/{namespace.removeprefix('octagon.')}/{product}"


def _when(moment: Any) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, str):
        return moment.replace("T", " ")[:19]
    result: str = moment.strftime("%Y-%m-%d %H:%M")
    return result
