"""A data product kept in one table of a domain's store: one declaration serves its rows, records and events.

Every domain follows one shape (the scaffold makes a new domain start this way):

- ``domain/model.py`` defines each entity once, as a frozen pydantic model whose fields carry their validation rules.
  Pydantic is a validation library, not infrastructure: the domain still knows nothing of SQL, HTTP or Kafka.
- ``adapters/tables.py`` derives the SQLModel table from that model by inheritance (FastAPI's full-stack template:
  ``Base -> Table/Create/Update/Public``) and names only what SQL needs beyond it: the key, indexes, column widths,
  time zones. Beside those indexes it declares the product with :class:`StoredProduct`, including its filters.
- ``api/schemas.py`` derives ``Create``/``Update``/``Public`` from the same model.
- Rows, entities, records and events convert generically (:func:`entity_of`, :func:`columns_of`,
  :func:`record_of`), so no mapper lists a product's fields again.

Adding a field therefore means the entity's model (always), its table (only when SQL needs more than the type),
the contract and a migration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine, RowMapping, Table

from mesh_platform.events.envelope import EventMessage
from mesh_platform.events.factory import EventFactory
from mesh_platform.store.product_source import SqlTableSource
from mesh_platform.wire import as_utc, utc_timestamp

Entity = TypeVar("Entity", bound=BaseModel)


def record_value(value: Any) -> Any:
    """``value`` as the contracts represent it: dates ISO 8601, moments RFC 3339 UTC with ``Z``, enums by value."""
    if isinstance(value, datetime):
        return utc_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return record_of(value.model_dump())
    if isinstance(value, list | tuple):
        return [record_value(item) for item in value]
    return value


def record_of(values: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
    """The contract's record for a stored row or a dumped entity (read path and events alike)."""
    return {name: record_value(value) for name, value in values.items()}


def columns_of(entity: BaseModel) -> dict[str, Any]:
    """The column values of ``entity``: enums stored by their wire value, nested models as JSON-ready lists and
    mappings, everything else as it is."""
    return {name: _column_value(value) for name, value in entity.model_dump().items()}


def _column_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_column_value(item) for item in value]
    return value


def entity_of(model: type[Entity], row: Any) -> Entity:
    """The domain entity of a stored row (an ORM instance or a row mapping); stored moments read back as UTC."""
    values = row if isinstance(row, Mapping) else {name: getattr(row, name) for name in model.model_fields}
    return model.model_validate(
        {name: as_utc(value) if isinstance(value, datetime) else value for name, value in values.items()}
    )


def _filter_parser(table: Table, name: str) -> Callable[[str], Any]:
    python_type = table.c[name].type.python_type
    return date.fromisoformat if python_type is date else str


@dataclass(frozen=True)
class StoredProduct:
    """One major of a data product whose records are the rows of one table.

    ``entity`` names the event types (``octagon.<domain>.<entity>.<verb>.v<major>``) and is the attribute of a domain
    event that holds the entity it announces. ``filters`` are the fields readers may match on (equality; declare
    them beside the indexes that keep them cheap). ``withheld_from_events`` are the fields never published on the
    topic (the contract's ``withheldFields``).
    """

    product: str
    major: int
    entity: str
    table: Table
    filters: tuple[str, ...] = ()
    withheld_from_events: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        (column,) = self.table.primary_key.columns
        return column.name

    def source(self, engine: Engine) -> SqlTableSource:
        """The HTTP port's source: this product's rows as contract records, filterable by :attr:`filters`."""
        return SqlTableSource(engine, self.table, self.key, record_of, self.filters)

    def filter_parsers(self) -> dict[str, Callable[[str], Any]]:
        """How each filter's query value is read (dates as ISO dates, everything else as given)."""
        return {name: _filter_parser(self.table, name) for name in self.filters}

    def event(self, events: EventFactory, verb: str, entity: BaseModel) -> EventMessage:
        """The event announcing ``verb`` of ``entity``: its record, less the fields withheld from the topic."""
        record = record_of(entity.model_dump())
        return events.create(
            product=self.product,
            major=self.major,
            entity=self.entity,
            verb=verb,
            key=str(record[self.key]),
            data={name: value for name, value in record.items() if name not in self.withheld_from_events},
        )


class Announcements:
    """Which product and verb announce each domain event type: the one way a unit of work records events.

    ``Announcements({FighterRegistered: (FIGHTERS, "registered"), ...})``; a domain event holds the entity it
    announces in the attribute named after the product's entity (``FighterRegistered.fighter``).
    """

    def __init__(self, declared: Mapping[type, tuple[StoredProduct, str]]) -> None:
        self.declared = dict(declared)

    def event(self, events: EventFactory, event: object) -> EventMessage:
        """The message announcing domain ``event``; an undeclared event type is a programming error."""
        try:
            product, verb = self.declared[type(event)]
        except KeyError:
            raise TypeError(f"{type(event).__name__} is not declared in this domain's announcements") from None
        return product.event(events, verb, getattr(event, product.entity.replace("-", "_")))

    @property
    def products(self) -> Iterable[StoredProduct]:
        return {product.product: product for product, _ in self.declared.values()}.values()
