"""The registry in SQL: products with their versions, the governance log and the consumers."""

from __future__ import annotations

import builtins
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session
from sqlmodel import col

from catalog.adapters.tables import ConsumerRow, DataProductRow, ProductVersionRow, RegistrationRow
from catalog.domain.model import (
    Consumer,
    ConsumerKind,
    DataProduct,
    Lifecycle,
    ProductVersion,
    RegistrationOutcome,
    RegistrationRecord,
    Verdict,
)
from mesh_platform.wire import as_utc


class SqlRegistryRepository:
    """Products, versions, registrations and consumers, in the catalog's store."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # products --------------------------------------------------------------------------------------------------

    def get(self, domain: str, product: str) -> DataProduct | None:
        row = self.session.get(DataProductRow, (domain, product))
        if row is None:
            return None
        return self._assemble([row])[0]

    def get_many(self, keys: builtins.list[tuple[str, str]]) -> builtins.list[DataProduct]:
        """The products with these ``(domain, product)`` keys, in the order given (unknown keys are skipped)."""
        if not keys:
            return []
        query = select(DataProductRow).where(tuple_(DataProductRow.domain, DataProductRow.product).in_(keys))
        found = {product.key: product for product in self._assemble(list(self.session.scalars(query)))}
        return [found[f"{domain}/{product}"] for domain, product in keys if f"{domain}/{product}" in found]

    def list(self, *, domain: str | None = None, limit: int | None = None, offset: int = 0) -> builtins.list[DataProduct]:
        """Products ordered by domain and name, optionally of one domain."""
        query = select(DataProductRow).order_by(DataProductRow.domain, DataProductRow.product)
        if domain:
            query = query.where(col(DataProductRow.domain) == domain)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return self._assemble(list(self.session.scalars(query)))

    def count(self, *, domain: str | None = None) -> int:
        query = select(func.count()).select_from(DataProductRow)
        if domain:
            query = query.where(col(DataProductRow.domain) == domain)
        return int(self.session.scalar(query) or 0)

    def domains(self) -> dict[str, dict[str, int]]:
        """Per domain: how many products and how many versions in each lifecycle state."""
        summary: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for domain, count in self.session.execute(
            select(col(DataProductRow.domain), func.count()).group_by(col(DataProductRow.domain))
        ):
            summary[domain]["products"] = int(count)
        for domain, status, count in self.session.execute(
            select(col(ProductVersionRow.domain), col(ProductVersionRow.status), func.count()).group_by(
                ProductVersionRow.domain, ProductVersionRow.status
            )
        ):
            summary[domain][status] = int(count)
        return {domain: dict(counts) for domain, counts in sorted(summary.items())}

    def save(self, product: DataProduct) -> None:
        """Insert or update ``product`` and every one of its versions."""
        self.session.merge(
            DataProductRow(
                domain=product.domain, product=product.product, name=product.name, description=product.description,
                owner=product.owner, tags=product.tags, created_at=product.created_at, updated_at=product.updated_at,
            )
        )
        for version in product.versions.values():
            self.session.merge(
                ProductVersionRow(
                    domain=version.domain, product=version.product, major=version.major, version=version.version,
                    status=version.status.value, sunset_date=version.sunset_date, contract=version.contract,
                    service_url=version.service_url, verdict=version.verdict.as_dict(),
                    registered_at=version.registered_at, updated_at=version.updated_at,
                )
            )

    def _assemble(self, rows: builtins.list[DataProductRow]) -> builtins.list[DataProduct]:
        if not rows:
            return []
        keys = [(row.domain, row.product) for row in rows]
        versions: dict[tuple[str, str], dict[int, ProductVersion]] = defaultdict(dict)
        query = select(ProductVersionRow).where(tuple_(ProductVersionRow.domain, ProductVersionRow.product).in_(keys))
        for row in self.session.scalars(query):
            versions[(row.domain, row.product)][row.major] = _version(row)
        return [
            DataProduct(
                domain=row.domain, product=row.product, name=row.name, description=dict(row.description),
                owner=row.owner, tags=list(row.tags), created_at=as_utc(row.created_at),
                updated_at=as_utc(row.updated_at), versions=versions[(row.domain, row.product)],
            )
            for row in rows
        ]

    # governance log --------------------------------------------------------------------------------------------

    def log(self, record: RegistrationRecord) -> None:
        self.session.add(
            RegistrationRow(
                domain=record.domain, product=record.product, version=record.version, outcome=record.outcome.value,
                verdict=record.verdict.as_dict(), service_url=record.service_url, at=record.at,
            )
        )

    def registrations(self, *, outcome: RegistrationOutcome | None = None, limit: int = 50) -> builtins.list[RegistrationRecord]:
        """The newest registration attempts first."""
        query = select(RegistrationRow).order_by(RegistrationRow.id.desc()).limit(limit)  # type: ignore[union-attr]
        if outcome is not None:
            query = query.where(col(RegistrationRow.outcome) == outcome.value)
        return [
            RegistrationRecord(
                row.domain, row.product, row.version, RegistrationOutcome(row.outcome), Verdict.from_dict(row.verdict),
                row.service_url, as_utc(row.at),
            )
            for row in self.session.scalars(query)
        ]

    # consumers -------------------------------------------------------------------------------------------------

    def record_consumer(
        self, kind: ConsumerKind, consumer: str, domain: str, product: str, major: int, at: datetime
    ) -> tuple[Consumer, bool]:
        """Remember that ``consumer`` consumes ``domain/product`` v``major``; True if it was not known yet."""
        row = self.session.scalars(
            select(ConsumerRow).where(
                col(ConsumerRow.kind) == kind, col(ConsumerRow.consumer) == consumer, col(ConsumerRow.domain) == domain,
                col(ConsumerRow.product) == product, col(ConsumerRow.major) == major,
            )
        ).first()
        created = row is None
        if row is None:
            row = ConsumerRow(kind=kind, consumer=consumer, domain=domain, product=product, major=major,
                              first_seen=at, last_seen=at)
            self.session.add(row)
        else:
            row.last_seen = at
        return _consumer(row), created

    def consumers(self, *, domain: str | None = None, product: str | None = None) -> builtins.list[Consumer]:
        query = select(ConsumerRow).order_by(
            col(ConsumerRow.domain), col(ConsumerRow.product), col(ConsumerRow.major), col(ConsumerRow.kind),
            col(ConsumerRow.consumer),
        )
        if domain:
            query = query.where(col(ConsumerRow.domain) == domain)
        if product:
            query = query.where(col(ConsumerRow.product) == product)
        return [_consumer(row) for row in self.session.scalars(query)]


def _version(row: ProductVersionRow) -> ProductVersion:
    return ProductVersion(
        domain=row.domain, product=row.product, major=row.major, version=row.version, status=Lifecycle(row.status),
        sunset_date=row.sunset_date, contract=dict(row.contract), service_url=row.service_url,
        registered_at=as_utc(row.registered_at), updated_at=as_utc(row.updated_at),
        verdict=Verdict.from_dict(row.verdict),
    )


def _consumer(row: ConsumerRow) -> Consumer:
    return Consumer(
        kind=row.kind,  # type: ignore[arg-type]
        consumer=row.consumer, domain=row.domain, product=row.product, major=row.major,
        first_seen=as_utc(row.first_seen), last_seen=as_utc(row.last_seen),
    )
