"""The business glossary API and the generated product documentation as Markdown."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel

from catalog.api.dependencies import Registry, Settings
from catalog.domain.glossary import TermUsage
from catalog.domain.search_query import SearchSyntaxError
from catalog.service.glossary import GlossaryService
from catalog.service.product_docs import product_docs
from mesh_platform.contracts.glossary import GlossaryTerm

MARKDOWN = "text/markdown; charset=utf-8"


def glossary_service(request: Request) -> GlossaryService:
    result: GlossaryService = request.app.state.glossary
    return result


Glossary = Annotated[GlossaryService, Depends(glossary_service)]


class TermRef(BaseModel):
    id: str
    name: str
    url: str


class TermSummary(BaseModel):
    id: str
    name: str
    definition: str
    owner: str
    synonyms: list[str]
    related_terms: list[str]
    fields: int
    url: str


class TermList(BaseModel):
    query: str
    total: int
    limit: int
    offset: int
    items: list[TermSummary]


class TermField(BaseModel):
    domain: str
    product: str
    product_name: str
    major: int
    status: str
    field: str
    description: str
    url: str


class TermDetail(BaseModel):
    id: str
    name: str
    definition: str
    owner: str
    synonyms: list[str]
    related: list[TermRef]
    used_by: list[TermField]
    contract_link: str
    url: str


def glossary_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["glossary"])

    @router.get("/glossary", summary="Business terms, searched by name, synonym or definition", response_model=TermList,
                responses={400: {"description": "The query is not valid search syntax"}})
    def list_terms(
        glossary: Glossary, q: str = "", limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> TermList:
        try:
            hits = glossary.search(q)
        except SearchSyntaxError as e:
            raise HTTPException(400, f"q: {e}") from e
        counts = glossary.usage_counts()
        items = [_summary(hit.term, counts.get(hit.term.id, 0)) for hit in hits[offset:offset + limit]]
        return TermList(query=q, total=len(hits), limit=limit, offset=offset, items=items)

    @router.get("/glossary/{term}", summary="One term with every product field that carries it",
                response_model=TermDetail)
    def read_term(term: str, glossary: Glossary) -> TermDetail:
        page = glossary.term(term)
        found = page.term
        return TermDetail(
            id=found.id, name=found.name, definition=found.definition, owner=found.owner,
            synonyms=list(found.synonyms), related=[_ref(r) for r in page.related],
            used_by=[_field(usage) for usage in page.usages], contract_link=found.link,
            url=f"/api/v1/glossary/{found.id}",
        )

    @router.get(
        "/data-products/{domain}/{product}/v{major}/docs.md",
        summary="The generated documentation of one major version, as Markdown",
        response_class=Response,
        responses={200: {"content": {"text/markdown": {}}}, 404: {"description": "No such product or major"}},
    )
    def read_docs(domain: str, product: str, major: int, registry: Registry, glossary: Glossary,
                  settings: Settings) -> Response:
        service_url = settings.service_urls.get(domain)
        markdown = product_docs(registry, glossary, domain, product, major, link_base=settings.base_url,
                                catalog_url=settings.base_url, service_url=service_url)
        return Response(markdown, media_type=MARKDOWN)

    return router


def _summary(term: GlossaryTerm, fields: int) -> TermSummary:
    return TermSummary(id=term.id, name=term.name, definition=term.definition, owner=term.owner,
                       synonyms=list(term.synonyms), related_terms=list(term.related), fields=fields,
                       url=f"/api/v1/glossary/{term.id}")


def _ref(term: GlossaryTerm) -> TermRef:
    return TermRef(id=term.id, name=term.name, url=f"/api/v1/glossary/{term.id}")


def _field(usage: TermUsage) -> TermField:
    return TermField(domain=usage.domain, product=usage.product, product_name=usage.product_name, major=usage.major,
                     status=usage.status, field=usage.field, description=usage.description,
                     url=f"/api/v1/data-products/{usage.domain}/{usage.product}")
