"""The registry API: register contracts, read products, versions, contracts, domains and consumers; search."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from datetime import UTC, date, datetime
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import JSONResponse

from catalog.api.auth import Caller, require_any
from catalog.api.dependencies import Registry, Settings
from catalog.api.schemas import (
    ConsumerCreate,
    ConsumerPublic,
    DomainDetail,
    DomainPublic,
    FacetCount,
    ProductList,
    ProductPublic,
    RegistrationCreate,
    RegistrationPublic,
    SearchHitPublic,
    SearchPublic,
    VerdictPublic,
    product_public,
    product_summary,
    product_url,
)
from catalog.domain.model import RegistrationOutcome, Verdict
from catalog.domain.search_query import SearchSyntaxError
from mesh_platform.auth.scopes import write_scope
from mesh_platform.http.bearer import AUTH_RESPONSES
from mesh_platform.http.problems import GOVERNANCE_REFUSED, PROBLEM_JSON

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


def registry_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["registry"])

    @router.post(
        "/data-products",
        summary="Register a product version from its contract",
        response_model=RegistrationPublic,
        status_code=201,
        responses={200: {"description": "Already registered with this content: nothing changed"},
                   422: {"description": "Refused by governance: the verdict lists the reasons"}, **AUTH_RESPONSES},
    )
    def register(body: RegistrationCreate, registry: Registry, settings: Settings, caller: Caller) -> JSONResponse:
        # Only the domain a contract names may register it: write:<that domain>.
        domain = body.contract.get("domain") if isinstance(body.contract, dict) else None
        require_any(caller, write_scope(str(domain)))
        result = registry.register(body.contract, body.service_url)
        product = None
        if result.product is not None:
            consumers = registry.consumers(domain=result.product.domain, product=result.product.product)
            product = product_public(result.product, consumers, _today(), settings.base_url)
        reply = RegistrationPublic(outcome=result.outcome.value, verdict=VerdictPublic.of(result.verdict), product=product)
        content = reply.model_dump(mode="json")
        if result.outcome is RegistrationOutcome.REFUSED:
            problem = {"type": GOVERNANCE_REFUSED.uri, "title": GOVERNANCE_REFUSED.title, "status": 422,
                       "detail": "; ".join(result.verdict.reasons[:10]), "instance": "/api/v1/data-products",
                       "errors": _verdict_errors(result.verdict)}
            return JSONResponse({**problem, **content}, status_code=422, media_type=PROBLEM_JSON)
        status = 200 if result.outcome is RegistrationOutcome.UNCHANGED else 201
        headers = {"Location": product_url(result.product.domain, result.product.product)} if result.product else {}
        return JSONResponse(content, status_code=status, headers=headers)

    @router.get("/data-products", summary="List data products", response_model=ProductList)
    def list_products(
        registry: Registry,
        domain: str | None = None,
        status: str | None = None,
        tag: str | None = None,
        classification: str | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> ProductList:
        filters = {"domain": domain, "status": status, "tag": tag, "classification": classification}
        products, total = registry.products(filters, limit=limit, offset=offset)
        return ProductList(items=[product_summary(p) for p in products], total=total, limit=limit, offset=offset)

    @router.get("/data-products/{domain}/{product}", summary="A product with its versions and consumers",
                response_model=ProductPublic)
    def read_product(domain: str, product: str, registry: Registry, settings: Settings) -> ProductPublic:
        found = registry.product(domain, product)
        return product_public(found, registry.consumers(domain=domain, product=product), _today(), settings.base_url)

    @router.get(
        "/data-products/{domain}/{product}/v{major}/contract",
        summary="The contract of one major version (the ce_dataschema of its events)",
        responses={200: {"content": {"application/json": {}, "application/yaml": {}}}},
    )
    def read_contract(domain: str, product: str, major: int, registry: Registry, format: str = "json") -> Response:
        version = registry.version(domain, product, major)
        if format == "yaml":
            text = yaml.safe_dump(version.contract, sort_keys=False, allow_unicode=True, width=120)
            return Response(text, media_type="application/yaml")
        if format != "json":
            raise HTTPException(400, f"format must be json or yaml, found {format!r}")
        return JSONResponse(version.contract, headers={"X-Contract-Version": version.version})

    @router.get("/domains", summary="Domains with their products", response_model=list[DomainPublic])
    def list_domains(registry: Registry) -> list[DomainPublic]:
        return [_domain(name, counts) for name, counts in registry.domains().items()]

    @router.get("/domains/{domain}", summary="One domain and its products", response_model=DomainDetail)
    def read_domain(domain: str, registry: Registry) -> DomainDetail:
        counts, products = registry.domain(domain)
        return DomainDetail(**_domain(domain, counts).model_dump(), data_products=[product_summary(p) for p in products])

    @router.get("/search", summary="Full-text search with facets", response_model=SearchPublic,
                responses={400: {"description": "The query is not valid search syntax"}})
    def search(
        registry: Registry,
        q: str = "",
        domain: str | None = None,
        tag: str | None = None,
        classification: str | None = None,
        status: str | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Offset = 0,
    ) -> SearchPublic:
        filters = {"domain": domain, "tag": tag, "classification": classification, "status": status}
        try:
            results = registry.search(q, filters, limit=limit, offset=offset)
        except SearchSyntaxError as e:
            raise HTTPException(400, f"q: {e}") from e
        return SearchPublic(
            query=q, filters={k: v for k, v in filters.items() if v}, total=results.total, limit=limit, offset=offset,
            items=[_hit(hit.summary, hit.score) for hit in results.hits],
            facets={facet: [FacetCount(value=v, count=n) for v, n in counts] for facet, counts in results.facets.items()},
        )

    @router.post("/consumers", summary="Report a consumer of a product version (idempotent)",
                 response_model=ConsumerPublic, status_code=201,
                 responses={200: {"description": "The consumer was already known"}, **AUTH_RESPONSES})
    def report_consumer(body: ConsumerCreate, registry: Registry, caller: Caller) -> JSONResponse:
        # A domain reports its own consumer groups, and the HTTP readers of its own products; nobody else's.
        owner = body.consumer.split(".", 1)[0] if body.kind == "subscription" else body.domain
        require_any(caller, write_scope(owner))
        consumer, created = registry.report_consumer(body.kind, body.consumer, body.domain, body.product, body.major)
        return JSONResponse(ConsumerPublic.of(consumer).model_dump(mode="json"), status_code=201 if created else 200)

    @router.get("/consumers", summary="Known consumers", response_model=list[ConsumerPublic])
    def list_consumers(registry: Registry, domain: str | None = None, product: str | None = None) -> list[ConsumerPublic]:
        return [ConsumerPublic.of(c) for c in registry.consumers(domain=domain, product=product)]

    @router.get("/governance/registrations", summary="Recent registration attempts and their verdicts")
    def registrations(
        registry: Registry, outcome: RegistrationOutcome | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50
    ) -> list[dict[str, Any]]:
        return [
            {"domain": r.domain, "product": r.product, "version": r.version, "outcome": r.outcome.value,
             "verdict": r.verdict.as_dict(), "service_url": r.service_url, "at": r.at.isoformat()}
            for r in registry.registrations(outcome=outcome, limit=limit)
        ]

    return router


def _today() -> date:
    return datetime.now(UTC).date()


def _verdict_errors(verdict: Verdict) -> list[dict[str, str]]:
    """Problem ``errors`` of a refused registration: the place in the contract, the policy and the reason."""
    errors = []
    for result in verdict.policies:
        for reason in result.reasons:
            path, separator, message = reason.partition(": ")
            field = f"contract.{path}" if separator and " " not in path else "contract"
            errors.append({"field": field, "reason": f"{result.policy}: {message if field != 'contract' else reason}"})
    return errors


def _domain(name: str, counts: dict[str, int]) -> DomainPublic:
    statuses = {status: n for status, n in counts.items() if status != "products"}
    return DomainPublic(domain=name, products=counts.get("products", 0), versions_by_status=statuses,
                        url=f"/api/v1/domains/{name}")


def _hit(summary: dict[str, Any], score: float) -> SearchHitPublic:
    return SearchHitPublic(
        domain=summary["domain"], product=summary["product"], name=summary["name"], purpose=summary.get("purpose", ""),
        owner=summary.get("owner"), tags=summary.get("tags", []), classifications=summary.get("classifications", []),
        statuses=summary.get("statuses", []), latest_version=summary.get("latest_version"), score=score,
        url=product_url(summary["domain"], summary["product"]),
    )
