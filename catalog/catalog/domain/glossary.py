"""The business glossary as the catalog shows it: which product fields carry each term, and searching terms.

The terms themselves are the platform's (:mod:`mesh_platform.contracts.glossary`, files beside the contracts); the
fields that carry them come from the registered contracts' ``businessDefinition`` links. Search uses the catalog's
own query syntax (:mod:`catalog.domain.search_query`), evaluated over the glossary in memory — a glossary has tens
or hundreds of terms, far below what needs an index.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from catalog.domain.model import DataProduct, Lifecycle
from catalog.domain.search_query import And, Node, Not, Or, Term
from mesh_platform.contracts.glossary import Glossary, GlossaryTerm, field_terms

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # the tokenizers' notion of a word (as in search_query)
# How much a hit counts by where it is: the term's name, then its synonyms, then its definition.
_WEIGHTS = {"name": 3.0, "synonyms": 2.0, "definition": 1.0}


@dataclass(frozen=True)
class TermUsage:
    """A field of a registered product version that carries a term."""

    domain: str
    product: str
    product_name: str
    major: int
    status: str
    field: str
    description: str

    @property
    def product_url(self) -> str:
        return f"/products/{self.domain}/{self.product}"


@dataclass(frozen=True)
class TermHit:
    term: GlossaryTerm
    score: float


def fields_with_terms(contract: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """``{field path: term ids}`` for the record of a contract document (fields without terms left out)."""
    return {spec.path: spec.terms for spec in field_terms(contract, record_only=True) if spec.terms}


def term_usages(products: Iterable[DataProduct]) -> dict[str, list[TermUsage]]:
    """Every field of every live (not retired) registered product version that links a term, by term id."""
    usages: dict[str, list[TermUsage]] = defaultdict(list)
    for product in products:
        for version in product.versions.values():
            if version.status is Lifecycle.RETIRED:
                continue
            descriptions = _descriptions(version.contract)
            for spec in field_terms(version.contract, record_only=True):
                for term_id in spec.terms:
                    usages[term_id].append(TermUsage(
                        product.domain, product.product, product.name, version.major, version.status.value,
                        spec.path, descriptions.get(spec.path, ""),
                    ))
    for found in usages.values():
        found.sort(key=lambda u: (u.domain, u.product, -u.major, u.field))
    return dict(usages)


def search_terms(glossary: Glossary, tree: Node | None) -> list[TermHit]:
    """The terms matching a parsed query (every term for a blank one), best first, then by name."""
    hits = []
    for term in glossary:
        texts = {"name": _words(f"{term.name} {term.id}"), "synonyms": [_words(s) for s in term.synonyms],
                 "definition": _words(term.definition)}
        if tree is None:
            hits.append(TermHit(term, 0.0))
            continue
        if _matches(tree, _all_words(texts)):
            hits.append(TermHit(term, _score(tree, texts)))
    return sorted(hits, key=lambda h: (-h.score, h.term.name.lower()))


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _all_words(texts: dict[str, Any]) -> list[list[str]]:
    return [texts["name"], *texts["synonyms"], texts["definition"]]


def _matches(tree: Node, documents: list[list[str]]) -> bool:
    if isinstance(tree, Term):
        return any(_contains(words, tree) for words in documents)
    if isinstance(tree, Not):
        return not _matches(tree.operand, documents)
    if isinstance(tree, And):
        return all(_matches(op, documents) for op in tree.operands)
    if isinstance(tree, Or):
        return any(_matches(op, documents) for op in tree.operands)
    raise TypeError(f"not a query node: {tree!r}")


def _contains(words: list[str], term: Term) -> bool:
    """Whether ``term``'s words appear in this order (the last as a prefix when ``term.prefix``)."""
    wanted = [w.lower() for w in term.words]
    size = len(wanted)
    for start in range(len(words) - size + 1):
        window = words[start:start + size]
        if window[:-1] == wanted[:-1] and (
            window[-1].startswith(wanted[-1]) if term.prefix else window[-1] == wanted[-1]
        ):
            return True
    return False


def _score(tree: Node, texts: dict[str, Any]) -> float:
    """Weighted count of the query's positive terms found in the name, the synonyms and the definition."""
    positives = list(_positive_terms(tree))
    score = 0.0
    for term in positives:
        score += _WEIGHTS["name"] * _contains(texts["name"], term)
        score += _WEIGHTS["synonyms"] * any(_contains(words, term) for words in texts["synonyms"])
        score += _WEIGHTS["definition"] * _contains(texts["definition"], term)
    return score


def _positive_terms(tree: Node) -> Iterable[Term]:
    if isinstance(tree, Term):
        yield tree
    elif isinstance(tree, (And, Or)):
        for operand in tree.operands:
            yield from _positive_terms(operand)


def _descriptions(contract: Mapping[str, Any]) -> dict[str, str]:
    objects = [o for o in contract.get("schema") or [] if isinstance(o, Mapping)]
    found: dict[str, str] = {}

    def walk(properties: Iterable[Any], prefix: str) -> None:
        for prop in properties:
            if not isinstance(prop, Mapping):
                continue
            path = f"{prefix}.{prop.get('name')}" if prefix else str(prop.get("name"))
            found[path] = " ".join(str(prop.get("description") or "").split())
            walk(prop.get("properties") or [], path)
            items = prop.get("items")
            if isinstance(items, Mapping):
                walk(items.get("properties") or [], f"{path}[]")

    if objects:
        walk(objects[0].get("properties") or [], "")
    return found
