"""Request and response bodies of the catalog API (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog.domain.contract_view import ports
from catalog.domain.model import Consumer, DataProduct, ProductVersion, Verdict


class RegistrationCreate(BaseModel):
    contract: dict[str, Any] = Field(description="The ODCS v3.1.0 contract document as a JSON object.")
    service_url: str | None = Field(None, max_length=500, description="Base URL of the service serving the product.")


class PolicyPublic(BaseModel):
    policy: str
    passed: bool
    reasons: list[str]


class VerdictPublic(BaseModel):
    compliant: bool
    policies: list[PolicyPublic]

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictPublic:
        return cls.model_validate(verdict.as_dict())


class ConsumerCreate(BaseModel):
    kind: Literal["subscription", "http"] = Field(description="A Kafka consumer group or an HTTP reader.")
    consumer: str = Field(min_length=1, max_length=200, description="Consumer group id or token subject.")
    domain: str = Field(min_length=1, max_length=100)
    product: str = Field(min_length=1, max_length=100)
    major: int = Field(ge=1)


class ConsumerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    consumer: str
    domain: str
    product: str
    major: int
    first_seen: datetime
    last_seen: datetime

    @classmethod
    def of(cls, consumer: Consumer) -> ConsumerPublic:
        return cls.model_validate(consumer)


class EventTypePublic(BaseModel):
    type: str
    schema_name: str
    description: str


class VersionPublic(BaseModel):
    major: int
    version: str
    status: str
    sunset_date: date | None
    sunset_passed: bool
    registered_at: datetime
    updated_at: datetime
    service_url: str | None
    contract_url: str
    http_url: str | None
    topic: str | None
    event_types: list[EventTypePublic]
    lineage_node_id: str
    verdict: VerdictPublic
    consumers: list[ConsumerPublic]


class ProductSummary(BaseModel):
    domain: str
    product: str
    name: str
    purpose: str
    owner: str | None
    tags: list[str]
    latest_version: str | None
    majors: list[int]
    statuses: dict[int, str]
    url: str


class ProductPublic(BaseModel):
    domain: str
    product: str
    name: str
    description: dict[str, str]
    owner: str | None
    tags: list[str]
    latest_major: int | None
    created_at: datetime
    updated_at: datetime
    versions: list[VersionPublic]


class ProductList(BaseModel):
    items: list[ProductSummary]
    total: int
    limit: int
    offset: int


class RegistrationPublic(BaseModel):
    outcome: Literal["created", "updated", "unchanged", "refused"]
    verdict: VerdictPublic
    product: ProductPublic | None


class DomainPublic(BaseModel):
    domain: str
    products: int
    versions_by_status: dict[str, int]
    url: str


class DomainDetail(DomainPublic):
    data_products: list[ProductSummary]


class FacetCount(BaseModel):
    value: str
    count: int


class SearchHitPublic(BaseModel):
    domain: str
    product: str
    name: str
    purpose: str
    owner: str | None
    tags: list[str]
    classifications: list[str]
    statuses: list[str]
    latest_version: str | None
    score: float
    url: str


class SearchPublic(BaseModel):
    query: str
    filters: dict[str, str]
    total: int
    limit: int
    offset: int
    items: list[SearchHitPublic]
    facets: dict[str, list[FacetCount]]


def product_url(domain: str, product: str) -> str:
    return f"/api/v1/data-products/{domain}/{product}"


def contract_url(domain: str, product: str, major: int) -> str:
    return f"/api/v1/data-products/{domain}/{product}/v{major}/contract"


def version_public(version: ProductVersion, consumers: list[Consumer], today: date, base_url: str) -> VersionPublic:
    found = ports(version.contract)
    return VersionPublic(
        major=version.major, version=version.version, status=version.status.value, sunset_date=version.sunset_date,
        sunset_passed=version.sunset_passed(today), registered_at=version.registered_at,
        updated_at=version.updated_at, service_url=version.service_url,
        contract_url=base_url + contract_url(version.domain, version.product, version.major),
        http_url=found.http_url, topic=found.topic,
        event_types=[EventTypePublic(type=e.type, schema_name=e.schema, description=e.description)
                     for e in found.event_types],
        lineage_node_id=f"dataset:octagon.{version.domain}:{version.product}.v{version.major}",
        verdict=VerdictPublic.of(version.verdict),
        consumers=[ConsumerPublic.of(c) for c in consumers if c.major == version.major],
    )


def product_public(product: DataProduct, consumers: list[Consumer], today: date, base_url: str) -> ProductPublic:
    latest = product.latest
    return ProductPublic(
        domain=product.domain, product=product.product, name=product.name, description=product.description,
        owner=product.owner, tags=product.tags, latest_major=latest.major if latest else None,
        created_at=product.created_at, updated_at=product.updated_at,
        versions=[version_public(v, consumers, today, base_url)
                  for v in sorted(product.versions.values(), key=lambda v: v.major, reverse=True)],
    )


def product_summary(product: DataProduct) -> ProductSummary:
    latest = product.latest
    return ProductSummary(
        domain=product.domain, product=product.product, name=product.name,
        purpose=product.description.get("purpose", ""), owner=product.owner, tags=product.tags,
        latest_version=latest.version if latest else None, majors=sorted(product.versions),
        statuses={major: v.status.value for major, v in sorted(product.versions.items())},
        url=product_url(product.domain, product.product),
    )
