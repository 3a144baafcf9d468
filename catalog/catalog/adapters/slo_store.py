"""SLI samples and SLO status changes in the catalog's store (both append-only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from catalog.adapters.trust_tables import TrustTables
from catalog.domain.quality_feed import ProductSample
from catalog.domain.slo import SliSample


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SqlSloStore:
    def __init__(self, tables: TrustTables) -> None:
        self.tables = tables

    def add_samples(self, connection: Connection, samples: Iterable[ProductSample]) -> None:
        rows = [{"domain": s.domain, "product": s.product, "major": s.major, "sli": s.sli, "at": s.sample.at,
                 "good": s.sample.good, "total": s.sample.total, "failed": s.sample.failed} for s in samples]
        if rows:
            connection.execute(sa.insert(self.tables.slo_samples), rows)

    def samples(
        self, connection: Connection, domain: str, product: str, major: int, sli: str, since: datetime
    ) -> list[SliSample]:
        s = self.tables.slo_samples
        rows = connection.execute(
            sa.select(s.c.at, s.c.good, s.c.total, s.c.failed)
            .where(s.c.domain == domain, s.c.product == product, s.c.major == major, s.c.sli == sli, s.c.at > since)
            .order_by(s.c.at)
        )
        return [SliSample(_utc(at), good, total, bool(failed)) for at, good, total, failed in rows]

    def last_status(self, connection: Connection, domain: str, product: str, major: int, sli: str) -> str | None:
        c = self.tables.slo_status_changes
        return connection.execute(
            sa.select(c.c.status)
            .where(c.c.domain == domain, c.c.product == product, c.c.major == major, c.c.sli == sli)
            .order_by(c.c.id.desc()).limit(1)
        ).scalar()

    def add_status(self, connection: Connection, domain: str, product: str, major: int, sli: str, at: datetime,
                   status: str, detail: dict[str, Any]) -> None:
        connection.execute(sa.insert(self.tables.slo_status_changes).values(
            domain=domain, product=product, major=major, sli=sli, at=at, status=status, detail=detail))

    def status_history(self, connection: Connection, domain: str, product: str, major: int,
                       limit: int = 50) -> list[dict[str, Any]]:
        c = self.tables.slo_status_changes
        rows = connection.execute(
            sa.select(c.c.sli, c.c.at, c.c.status, c.c.detail)
            .where(c.c.domain == domain, c.c.product == product, c.c.major == major)
            .order_by(c.c.id.desc()).limit(limit)
        ).mappings()
        return [{"sli": row["sli"], "at": _utc(row["at"]).isoformat(), "status": row["status"],
                 **dict(row["detail"] or {})} for row in rows]
