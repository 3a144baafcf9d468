"""What search sees of a product: text to match, facet values to filter and count, and a summary to show."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from catalog.domain.model import DataProduct

FACETS = ("domain", "tag", "classification", "status")


@dataclass(frozen=True)
class SearchDocument:
    """The searchable text and facet values of one product (of its newest live major)."""

    product_key: str
    domain: str
    product: str
    name: str
    description: str
    field_names: str
    tags: str
    facets: dict[str, tuple[str, ...]]
    summary: dict[str, Any]


@dataclass(frozen=True)
class SearchHit:
    product_key: str
    score: float
    summary: dict[str, Any]


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]


def search_document(product: DataProduct) -> SearchDocument:
    """The search document of ``product``: text and fields of its newest live major, statuses of all majors."""
    latest = product.latest
    contract = latest.contract if latest else {}
    fields = list(_walk(contract))
    description_parts = [product.description.get(part, "") for part in ("purpose", "usage", "limitations")]
    description_parts += [str(field.get("description") or "") for field in fields]
    field_tags = {str(tag) for field in fields for tag in field.get("tags") or []}
    tags = sorted(set(product.tags) | field_tags)
    classifications = sorted({str(field["classification"]) for field in fields if field.get("classification")})
    statuses = sorted({version.status.value for version in product.versions.values()})
    names = [str(field.get("name") or "") for field in fields]
    names += [str(field.get("businessName")) for field in fields if field.get("businessName")]
    summary = {
        "domain": product.domain,
        "product": product.product,
        "name": product.name,
        "purpose": product.description.get("purpose", ""),
        "owner": product.owner,
        "tags": tags,
        "classifications": classifications,
        "statuses": statuses,
        "latest_version": latest.version if latest else None,
        "majors": sorted(product.versions),
    }
    return SearchDocument(
        product_key=product.key,
        domain=product.domain,
        product=product.product,
        name=f"{product.name} {product.product} {product.domain}",
        description="\n".join(part for part in description_parts if part),
        field_names=" ".join(names),
        tags=" ".join(tags),
        facets={"domain": (product.domain,), "tag": tuple(tags), "classification": tuple(classifications),
                "status": tuple(statuses)},
        summary=summary,
    )


def _walk(contract: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for schema_object in contract.get("schema") or []:
        if isinstance(schema_object, dict):
            yield from _properties(schema_object.get("properties") or [])


def _properties(properties: list[Any]) -> Iterator[dict[str, Any]]:
    for prop in properties:
        if not isinstance(prop, dict):
            continue
        yield prop
        yield from _properties(prop.get("properties") or [])
        items = prop.get("items")
        if isinstance(items, dict):
            yield from _properties(items.get("properties") or [])
