"""Use case: the generated documentation of one product major (Markdown; the UI renders it as HTML)."""

from __future__ import annotations

from catalog.domain.contract_view import ports
from catalog.domain.docs_markdown import DocsContext
from catalog.domain.product_docs import product_docs_markdown
from catalog.service.glossary import GlossaryService
from catalog.service.registry import RegistryService
from catalog.ui.snippets import consume_snippets


def product_docs(
    registry: RegistryService, glossary: GlossaryService, domain: str, product: str, major: int, *,
    link_base: str, catalog_url: str, service_url: str | None,
) -> str:
    """The documentation of ``domain/product`` v``major`` (NotFound when no such product or major is registered).

    ``service_url`` must come from the catalog's own configuration, never from a registration: it ends up in
    copy-paste lines that carry a token.
    """
    found = registry.product(domain, product)
    version = registry.version(domain, product, major)
    snippets = consume_snippets(domain, product, major, ports(version.contract), service_url)
    context = DocsContext(link_base=link_base, catalog_url=catalog_url, service_url=service_url, snippets=snippets)
    return product_docs_markdown(found, version, glossary.field_terms(version.contract), context)
