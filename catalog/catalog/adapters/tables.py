"""The catalog's own store: registry, consumers, search documents and the OpenLineage graph."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class CatalogTable(SQLModel, registry=registry()):
    """Base of the catalog's tables (a metadata of its own: the catalog shares no tables with anyone)."""


class DataProductRow(CatalogTable, table=True):
    __tablename__ = "data_products"

    domain: str = Field(primary_key=True, max_length=100)
    product: str = Field(primary_key=True, max_length=100)
    name: str = Field(max_length=200)
    description: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    owner: str | None = Field(default=None, max_length=200)
    tags: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class ProductVersionRow(CatalogTable, table=True):
    __tablename__ = "product_versions"

    domain: str = Field(primary_key=True, max_length=100)
    product: str = Field(primary_key=True, max_length=100)
    major: int = Field(primary_key=True)
    version: str = Field(max_length=100)
    status: str = Field(max_length=20, index=True)
    sunset_date: date | None = None
    contract: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    service_url: str | None = Field(default=None, max_length=500)
    verdict: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    registered_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class RegistrationRow(CatalogTable, table=True):
    """Every registration attempt and its verdict (the governance log)."""

    __tablename__ = "registrations"

    id: int | None = Field(default=None, primary_key=True)
    domain: str = Field(max_length=100)
    product: str = Field(max_length=100)
    version: str = Field(max_length=100)
    outcome: str = Field(max_length=20, index=True)
    verdict: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    service_url: str | None = Field(default=None, max_length=500)
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)


class ConsumerRow(CatalogTable, table=True):
    __tablename__ = "consumers"
    __table_args__ = (
        UniqueConstraint("kind", "consumer", "domain", "product", "major", name="uq_consumers_identity"),
        Index("ix_consumers_product", "domain", "product", "major"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    consumer: str = Field(max_length=200)
    domain: str = Field(max_length=100)
    product: str = Field(max_length=100)
    major: int
    first_seen: datetime = Field(sa_type=DateTime(timezone=True))
    last_seen: datetime = Field(sa_type=DateTime(timezone=True))


class SearchDocumentRow(CatalogTable, table=True):
    """What full-text search sees of a product (its newest live major); the text index is built over it.

    ``facet_codes`` lists the codes of the product's facet values (space-separated), so a search reads the facets of
    every hit along with the hit itself and counts them without another query.
    """

    __tablename__ = "search_documents"

    product_key: str = Field(primary_key=True, max_length=201)
    domain: str = Field(max_length=100, index=True)
    product: str = Field(max_length=100)
    name: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    field_names: str = Field(sa_column=Column(Text, nullable=False))
    tags: str = Field(sa_column=Column(Text, nullable=False))
    facet_codes: str = Field(sa_column=Column(Text, nullable=False))
    summary: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class SearchFacetValueRow(CatalogTable, table=True):
    """What each facet code stands for (domain=roster, tag=pii, classification=restricted...)."""

    __tablename__ = "search_facet_values"

    code: str = Field(primary_key=True, max_length=12)
    facet: str = Field(max_length=30)
    value: str = Field(max_length=200)


class LineageNodeRow(CatalogTable, table=True):
    __tablename__ = "lineage_nodes"

    id: int | None = Field(default=None, primary_key=True)
    node_id: str = Field(max_length=1000, unique=True)
    kind: str = Field(max_length=10)
    namespace: str = Field(max_length=500)
    name: str = Field(max_length=500)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    facets: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class LineageEdgeRow(CatalogTable, table=True):
    __tablename__ = "lineage_edges"
    __table_args__ = (UniqueConstraint("origin", "destination", name="uq_lineage_edges"),)

    id: int | None = Field(default=None, primary_key=True)
    origin: int = Field(foreign_key="lineage_nodes.id")
    destination: int = Field(foreign_key="lineage_nodes.id", index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class LineageRunRow(CatalogTable, table=True):
    __tablename__ = "lineage_runs"

    run_id: str = Field(primary_key=True, max_length=36)
    job: int = Field(foreign_key="lineage_nodes.id", index=True)
    state: str = Field(max_length=20)
    started_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    facets: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class LineageEventRow(CatalogTable, table=True):
    """Every OpenLineage event as received (Marquez keeps them too)."""

    __tablename__ = "lineage_events"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_type=DateTime(timezone=True))
    event_kind: str = Field(max_length=10)
    event_type: str | None = Field(default=None, max_length=20)
    event_time: datetime = Field(sa_type=DateTime(timezone=True))
    run_id: str | None = Field(default=None, max_length=36, index=True)
    subject: str = Field(max_length=1000)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
