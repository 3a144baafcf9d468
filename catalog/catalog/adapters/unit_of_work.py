"""One transaction over the catalog's registry and search index."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.adapters.repository import SqlRegistryRepository
from catalog.adapters.search_index import SqlSearchIndex, search_index_for


class SqlCatalogUnitOfWork:
    """Opens a session; nothing is kept unless :meth:`commit` is called before the block ends."""

    registry: SqlRegistryRepository
    search: SqlSearchIndex

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> SqlCatalogUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.registry = SqlRegistryRepository(self.session)
        self.search = search_index_for(self.session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
