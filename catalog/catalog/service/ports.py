"""What the catalog's services need from the outside, as protocols (SQL adapters in production, fakes in tests)."""

from __future__ import annotations

import builtins
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from catalog.domain.model import (
    Consumer,
    ConsumerKind,
    DataProduct,
    RegistrationOutcome,
    RegistrationRecord,
)
from catalog.domain.search_document import SearchDocument, SearchResults
from catalog.domain.search_query import Node


class RegistryRepository(Protocol):
    def get(self, domain: str, product: str) -> DataProduct | None: ...

    def get_many(self, keys: list[tuple[str, str]]) -> list[DataProduct]: ...

    def list(self, *, domain: str | None = None, limit: int | None = None, offset: int = 0) -> list[DataProduct]: ...

    def count(self, *, domain: str | None = None) -> int: ...

    def domains(self) -> dict[str, dict[str, int]]: ...

    def save(self, product: DataProduct) -> None: ...

    def log(self, record: RegistrationRecord) -> None: ...

    def registrations(
        self, *, outcome: RegistrationOutcome | None = None, limit: int = 50
    ) -> builtins.list[RegistrationRecord]: ...

    def record_consumer(
        self, kind: ConsumerKind, consumer: str, domain: str, product: str, major: int, at: datetime
    ) -> tuple[Consumer, bool]: ...

    def consumers(self, *, domain: str | None = None, product: str | None = None) -> builtins.list[Consumer]: ...


class SearchIndex(Protocol):
    def index(self, document: SearchDocument) -> None: ...

    def search(self, tree: Node | None, filters: dict[str, str], *, limit: int, offset: int) -> SearchResults: ...


class CatalogUnitOfWork(Protocol):
    # Read-only members: a unit of work may hand out a more specific repository than the port names.
    @property
    def registry(self) -> RegistryRepository: ...

    @property
    def search(self) -> SearchIndex: ...

    def __enter__(self) -> CatalogUnitOfWork: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...


class LineageRecorder(Protocol):
    """Where the registry reports what lineage should show (the catalog's own OpenLineage ingestion)."""

    def ingest(self, payload: dict[str, Any]) -> Any: ...

    def has_edge(self, origin: str, destination: str) -> bool: ...
