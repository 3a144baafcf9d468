"""A domain's subscription, declared by event class: what it handles, what it ignores, what runs after.

A domain declares it once, beside its handlers::

    SUBSCRIPTION = SubscriptionSpec(
        handlers={FighterRegisteredV1: on_fighter, ResultRecordedV1: on_result},
        ignored={BoutCancelledV1: "a cancelled bout has no result to count"},
        after_handlers=refresh_stale,  # once per batch, after every handler, in the same transaction
    )

The classes are generated from the producers' contracts (:mod:`mesh_tools.codegen`); the topics
follow from them. When the service starts, :meth:`SubscriptionSpec.check` compares the declaration with the
producers' contracts and with ``contracts/<domain>/subscriptions.yaml`` (where the read grants come from) and
refuses to start, with every reason, on an unknown product major, topic or event type, a field the contract no
longer offers, an event type of a subscribed product that is neither handled nor ignored, or a product consumed
without being declared. Handlers receive the domain's unit of work (one per batch, joined to the subscription's
transaction) and the typed message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.orm import Session

from mesh_platform.contracts import ContractRegistry, UnknownDataProduct
from mesh_platform.events.envelope import EventMessage
from mesh_platform.subscriptions.messages import ConsumedEvent

if TYPE_CHECKING:  # the event plane imports this package (dead-letter topics): imported where used, not here
    from mesh_platform.kafka.event_plane import SubscriptionDeclaration

UnitOfWork = TypeVar("UnitOfWork")
TypedHandler = Callable[[UnitOfWork, Any], None]
"""``handler(uow, message)``: stage the event's effect in ``uow`` (never commit: the subscription does)."""

SessionHandler = Callable[[Session, EventMessage], None]


class SubscriptionRefused(RuntimeError):
    """The declared subscription does not match the producers' contracts or the declared grants; says why."""


def declared_subscriptions(domain: str, contracts_dir: Path) -> list[SubscriptionDeclaration]:
    """The product majors ``domain`` declares it reads (``contracts/<domain>/subscriptions.yaml``, the one place
    that says so: read grants, generated event classes and the start-up check all come from it)."""
    from mesh_platform.kafka.event_plane import SUBSCRIPTIONS_FILE, read_subscriptions

    path = Path(contracts_dir) / domain / SUBSCRIPTIONS_FILE
    if not path.exists():
        raise SubscriptionRefused(f"{path} does not exist: declare what {domain} subscribes to there first")
    return read_subscriptions(path)


@dataclass(frozen=True)
class Dispatch:
    """A checked :class:`SubscriptionSpec` lowered to what :class:`~mesh_platform.subscriptions.Subscription` runs."""

    handlers: dict[str, SessionHandler]
    ignored: frozenset[str]
    after_handlers: Callable[[Session], None] | None


@dataclass(frozen=True, eq=False)
class SubscriptionSpec(Generic[UnitOfWork]):
    """Handlers keyed by consumed event class, the event classes deliberately ignored (with why), and the step that
    runs once after the handlers of each batch (e.g. re-deriving what the batch made stale)."""

    handlers: Mapping[type[ConsumedEvent], TypedHandler[UnitOfWork]]
    ignored: Mapping[type[ConsumedEvent], str] = field(default_factory=dict)
    after_handlers: Callable[[UnitOfWork], None] | None = None

    @property
    def event_classes(self) -> list[type[ConsumedEvent]]:
        """Every consumed event class the declaration names, handled or ignored."""
        return [event_class for event_class in [*self.handlers, *self.ignored] if _is_event_class(event_class)]

    @property
    def topics(self) -> list[str]:
        """The topics to consume: those of the declared event classes."""
        return sorted({event_class.TOPIC for event_class in self.event_classes})

    @property
    def products(self) -> set[tuple[str, int]]:
        """``("<domain>.<product>", major)`` of every product major consumed."""
        return {(event_class.PRODUCT, event_class.MAJOR) for event_class in self.event_classes}

    def problems(
        self, subscriber: str, registry: ContractRegistry, declarations: Iterable[SubscriptionDeclaration]
    ) -> list[str]:
        """Every reason the declaration cannot run against these contracts and declared grants (none: it can)."""
        problems: list[str] = []
        if not self.handlers:
            problems.append("the subscription handles no event type")
        for event_class in set(self.handlers) & set(self.ignored):
            problems.append(f"{event_class.__name__} is both handled and ignored")
        covered: set[str] = set()
        for named in [*self.handlers, *self.ignored]:
            if not _is_event_class(named):
                problems.append(f"{named!r} is not a consumed event class (generate one from the contract)")
        for event_class in self.event_classes:
            covered.add(event_class.EVENT_TYPE)
            problems += _class_problems(event_class, registry)
        for product_id, major in sorted(self.products):
            try:
                domain, _, product = product_id.partition(".")
                contract = registry.get(domain, product, major)
            except UnknownDataProduct:
                continue  # already reported per class
            for event_type in contract.event_types:
                if event_type not in covered:
                    problems.append(
                        f"{product_id} v{major} publishes {event_type} on {contract.topic}, which {subscriber} neither "
                        "handles nor ignores (declare it in `ignored` with the reason, or handle it)"
                    )
        declared = {(f"{d.domain}.{d.product}", d.major) for d in declarations}
        for product_id, major in sorted(self.products - declared):
            problems.append(
                f"{subscriber} consumes {product_id} v{major} but contracts/{subscriber}/subscriptions.yaml does not "
                "declare it (no read grant would cover it)"
            )
        for product_id, major in sorted(declared - self.products):
            problems.append(
                f"contracts/{subscriber}/subscriptions.yaml declares {product_id} v{major} but no handler or "
                "ignored event class of it is declared"
            )
        return problems

    def check(
        self, subscriber: str, registry: ContractRegistry, declarations: Iterable[SubscriptionDeclaration]
    ) -> None:
        """Raise :class:`SubscriptionRefused` naming every problem :meth:`problems` finds."""
        problems = self.problems(subscriber, registry, declarations)
        if problems:
            raise SubscriptionRefused(f"{subscriber}'s subscription refused: " + "; ".join(problems))

    def dispatch(self, unit_of_work: Callable[[], UnitOfWork]) -> Dispatch:
        """Handlers by CloudEvents type over the subscription's session: one unit of work per batch transaction,
        joined to it, shared by every handler of the batch and by :attr:`after_handlers`."""
        batch_key = f"mesh.subscription.unit_of_work.{id(self)}"

        def joined(session: Session) -> Any:
            uow = session.info.get(batch_key)
            if uow is None:
                uow = session.info[batch_key] = unit_of_work().join(session)  # type: ignore[attr-defined]
            return uow

        def typed(event_class: type[ConsumedEvent], handler: TypedHandler[UnitOfWork]) -> SessionHandler:
            def handle(session: Session, message: EventMessage) -> None:
                handler(joined(session), event_class.from_message(message))

            return handle

        after = None
        if self.after_handlers is not None:
            step = self.after_handlers

            def after(session: Session) -> None:
                step(joined(session))

        return Dispatch(
            handlers={event_class.EVENT_TYPE: typed(event_class, handler) for event_class, handler in self.handlers.items()},
            ignored=frozenset(event_class.EVENT_TYPE for event_class in self.ignored),
            after_handlers=after,
        )


def _is_event_class(named: object) -> bool:
    return isinstance(named, type) and issubclass(named, ConsumedEvent) and hasattr(named, "EVENT_TYPE")


def _class_problems(event_class: type[ConsumedEvent], registry: ContractRegistry) -> list[str]:
    name = event_class.__name__
    domain, _, product = event_class.PRODUCT.partition(".")
    try:
        contract = registry.get(domain, product, event_class.MAJOR)
    except UnknownDataProduct:
        return [f"{name}: no contract for product {event_class.PRODUCT} v{event_class.MAJOR}"]
    if contract.topic != event_class.TOPIC:
        return [f"{name}: topic {event_class.TOPIC} is not {contract.id} v{contract.major}'s topic {contract.topic}"]
    if event_class.EVENT_TYPE not in contract.event_types:
        return [f"{name}: {contract.id} v{contract.major} publishes no event type {event_class.EVENT_TYPE}"]
    offered = {spec.name: spec for spec in contract.event_fields(event_class.EVENT_TYPE)}
    problems = []
    for field_name, (kind, required) in event_class.CONTRACT_FIELDS.items():
        spec = offered.get(field_name)
        if spec is None:
            problems.append(f"{name}.{field_name}: {contract.id} {contract.version} no longer has this field")
        elif spec.logical_type != kind:
            problems.append(f"{name}.{field_name}: typed {kind} but {contract.id} {contract.version} says {spec.logical_type}")
        elif required and not spec.required:
            problems.append(f"{name}.{field_name}: required here but may be null in {contract.id} {contract.version}")
    return problems
