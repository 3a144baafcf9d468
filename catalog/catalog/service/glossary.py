"""Use cases of the business glossary: list and search terms, one term with the fields that use it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalog.adapters.glossary_files import GlossaryFiles
from catalog.domain.glossary import TermHit, TermUsage, fields_with_terms, search_terms, term_usages
from catalog.domain.search_query import parse_query
from catalog.service.registry import RegistryService
from mesh_platform.contracts.glossary import Glossary, GlossaryTerm
from mesh_platform.errors import NotFound


@dataclass(frozen=True)
class TermPage:
    term: GlossaryTerm
    related: list[GlossaryTerm]
    usages: list[TermUsage]


class GlossaryService:
    """The glossary (files beside the contracts) joined with the registry (which fields link which term)."""

    def __init__(self, files: GlossaryFiles, registry: RegistryService, usage_ttl_seconds: float = 5.0) -> None:
        self._files = files
        self._registry = registry
        # Which fields carry which term is read from every registered contract; a page view should not redo that
        # for a large catalog, so the answer is kept a few seconds (a new registration shows within that time).
        self._usage_ttl = usage_ttl_seconds
        self._cached_usages: tuple[float, dict[str, list[TermUsage]]] | None = None

    @property
    def glossary(self) -> Glossary:
        return self._files.current()

    def search(self, query: str) -> list[TermHit]:
        """Terms matching ``query`` (the catalog's search syntax; SearchSyntaxError when it is not valid)."""
        return search_terms(self.glossary, parse_query(query))

    def usage_counts(self) -> dict[str, int]:
        """How many product fields link each term."""
        return {term_id: len(found) for term_id, found in self._usages().items()}

    def term(self, term_id: str) -> TermPage:
        """One term, its related terms and every field of a live product version that links it."""
        glossary = self.glossary
        term = glossary.get(term_id)
        if term is None:
            raise NotFound(f"the glossary has no term {term_id!r}", field="term")
        related = [found for found in (glossary.get(r) for r in term.related) if found is not None]
        return TermPage(term, related, self._usages().get(term_id, []))

    def field_terms(self, contract: Mapping[str, Any]) -> dict[str, list[GlossaryTerm | str]]:
        """``{field path: [term, ...]}`` of a contract's record; a link to an unknown term stays its bare id."""
        glossary = self.glossary
        return {path: [glossary.get(t) or t for t in ids] for path, ids in fields_with_terms(contract).items()}

    def _usages(self) -> dict[str, list[TermUsage]]:
        now = time.monotonic()
        cached = self._cached_usages
        if cached is not None and now - cached[0] < self._usage_ttl:
            return cached[1]
        products, _ = self._registry.products()
        usages = term_usages(products)
        self._cached_usages = (now, usages)
        return usages
