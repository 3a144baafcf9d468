"""Typed messages: the events a domain consumes, as classes generated from the producer's contract.

Each class is one CloudEvents type of one product major (``octagon.roster.fighter.registered.v1`` of
``roster.fighters`` v1). Its fields are the fields of that event type's schema in the producer's contract, typed
(``date``/``timestamp`` parsed, nested objects as nested models), so a handler reads ``message.weight_class`` rather
than ``data["weight_class"]``. Fields a later minor version adds are ignored until the classes are regenerated
(:mod:`mesh_tools.codegen`); the classes carry what they were generated from (``CONTRACT_FIELDS``), so
:class:`mesh_platform.subscriptions.spec.SubscriptionSpec` can refuse to start when the contract no longer offers it.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, PrivateAttr

from mesh_platform.events.envelope import EventMessage


class ConsumedData(BaseModel):
    """A (nested) object of a producer's event data: immutable, unknown fields ignored (a producer's later minor
    version may add some)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class ConsumedEvent(ConsumedData):
    """One consumed event: the typed data of an event type, with its CloudEvents envelope at :attr:`envelope`.

    Subclasses are generated; their class variables say which product major, topic and event type they are, and
    which top-level fields (``name -> (logicalType, required)``) the contract gave them when generated.
    """

    # Upper case so no contract field (always snake_case) can clash with them.
    EVENT_TYPE: ClassVar[str]
    PRODUCT: ClassVar[str]  # "<domain>.<product>"
    MAJOR: ClassVar[int]
    TOPIC: ClassVar[str]
    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]]

    _envelope: EventMessage | None = PrivateAttr(default=None)

    @classmethod
    def from_message(cls, message: EventMessage) -> Self:
        """The typed event of a consumed message (its data already checked against the producer's contract)."""
        event = cls.model_validate(message.data)
        event._envelope = message
        return event

    @property
    def envelope(self) -> EventMessage:
        """The CloudEvents envelope: id, source, time, topic and key of this event."""
        if self._envelope is None:
            raise AttributeError(f"{type(self).__name__} was built without an envelope (not from a consumed message)")
        return self._envelope
