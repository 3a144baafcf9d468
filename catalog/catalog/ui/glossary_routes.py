"""Web UI pages of the business glossary and of the generated product documentation.

The docs page renders the very Markdown ``GET .../docs.md`` serves (markdown-it-py, CommonMark + tables, raw HTML
off), so both readers get one text. :func:`install_glossary_globals` lets the other pages' templates show terms
(product fields, search hits) without their routes knowing the glossary.
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import Markup

from catalog.api.dependencies import Registry, Settings
from catalog.api.glossary import Glossary
from catalog.domain.search_query import SearchSyntaxError
from catalog.service.glossary import GlossaryService
from catalog.service.product_docs import product_docs
from mesh_platform.errors import NotFound

TEMPLATES_DIR = Path(__file__).parent / "templates"  # shared with catalog.ui.routes
TERM_HITS_ON_SEARCH_PAGE = 5


def markdown_renderer() -> MarkdownIt:
    """CommonMark with GFM tables; raw HTML is shown as text, link schemes other than http(s)/mailto are dropped."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def install_glossary_globals(env: Environment) -> None:
    """``field_terms(request, contract)`` and ``glossary_hits(request, q)`` for the catalog's templates."""

    def field_terms(request: Request, contract: dict[str, Any]) -> dict[str, list[Any]]:
        service: GlossaryService | None = getattr(request.app.state, "glossary", None)
        return service.field_terms(contract) if service is not None else {}

    def glossary_hits(request: Request, q: str) -> list[Any]:
        service: GlossaryService | None = getattr(request.app.state, "glossary", None)
        if service is None or not q.strip():
            return []
        try:
            return service.search(q)[:TERM_HITS_ON_SEARCH_PAGE]
        except SearchSyntaxError:
            return []  # the page already says why the query cannot run

    env.globals["field_terms"] = field_terms
    env.globals["glossary_hits"] = glossary_hits


def glossary_ui_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    install_glossary_globals(templates.env)
    renderer = markdown_renderer()

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @router.get("/glossary", response_class=HTMLResponse)
    def glossary_page(request: Request, glossary: Glossary, q: str = "") -> HTMLResponse:
        try:
            hits = glossary.search(q)
        except SearchSyntaxError as e:
            return page(request, "glossary.html", 400, q=q, hits=[], counts={}, error=str(e))
        return page(request, "glossary.html", q=q, hits=hits, counts=glossary.usage_counts(), error=None,
                    problems=glossary.glossary.problems)

    @router.get("/glossary/{term}", response_class=HTMLResponse)
    def term_page(request: Request, term: str, glossary: Glossary) -> HTMLResponse:
        try:
            found = glossary.term(term)
        except NotFound as e:
            return page(request, "not_found.html", 404, message=e.reason)
        return page(request, "glossary_term.html", term=found.term, related=found.related, usages=found.usages)

    @router.get("/products/{domain}/{product}/v{major}/docs", response_class=HTMLResponse)
    def docs_page(request: Request, domain: str, product: str, major: int, registry: Registry, glossary: Glossary,
                  settings: Settings) -> HTMLResponse:
        try:
            markdown = product_docs(registry, glossary, domain, product, major, link_base="",
                                    catalog_url=settings.base_url, service_url=settings.service_urls.get(domain))
        except NotFound as e:
            return page(request, "not_found.html", 404, message=e.reason)
        # Safe to mark up: markdown-it escapes text, raw HTML is off and contract text was escaped for Markdown.
        return page(request, "product_docs.html", domain=domain, product=product, major=major,
                    body=Markup(renderer.render(markdown)),
                    markdown_url=f"/api/v1/data-products/{domain}/{product}/v{major}/docs.md")

    return router
