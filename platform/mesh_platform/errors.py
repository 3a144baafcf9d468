"""Exceptions that carry a reason from the domain to the edge.

Domain code raises subclasses of these (they know nothing of HTTP); the HTTP edge turns them into RFC 9457
problem responses: :class:`NotFound` → 404, :class:`Conflict` → 409, :class:`RuleViolated` → 422.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused for a reason a caller can act on."""

    title = "Request refused"

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


class NotFound(DomainError):
    """The thing a command or query names does not exist."""

    title = "Not found"


class Conflict(DomainError):
    """The command clashes with the current state (double booking, a second result...)."""

    title = "Conflict"


class RuleViolated(DomainError):
    """The command breaks a business rule (weight class mismatch, retired fighter...)."""

    title = "Business rule violated"
