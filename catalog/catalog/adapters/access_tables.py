"""The catalog's identity and access tables (created by migration 0003)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field

from catalog.adapters.tables import CatalogTable


class ClientRow(CatalogTable, table=True):
    __tablename__ = "oauth_clients"

    client_id: str = Field(primary_key=True, max_length=100)
    secret_hash: str = Field(max_length=200)
    domain: str | None = Field(default=None, max_length=100)
    owner: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    # Added by migration 0004: the domain whose admins manage it, "file" or "api", who registered it, disabled when.
    owner_domain: str | None = Field(default=None, max_length=100)
    source: str = Field(default="file", max_length=20)
    registered_by: str | None = Field(default=None, max_length=100)
    disabled_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AccessRequestRow(CatalogTable, table=True):
    __tablename__ = "access_requests"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=100, index=True)
    domain: str = Field(max_length=100, index=True)
    product: str = Field(max_length=100)
    major: int
    pii: bool
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=20, index=True)
    requested_at: datetime = Field(sa_type=DateTime(timezone=True))
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class GrantRow(CatalogTable, table=True):
    __tablename__ = "grants"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=100, index=True)
    scope: str = Field(max_length=200)
    request_id: int | None = None
    granted_by: str = Field(max_length=100)
    granted_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_by: str | None = Field(default=None, max_length=100)
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AuditRow(CatalogTable, table=True):
    """Append-only: the catalog inserts rows and never updates or deletes them."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=50)
    target: str = Field(max_length=300)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    detail: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
