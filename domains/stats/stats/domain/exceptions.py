"""Why stats refuses to count an event (it is dead-lettered with the reason, never half-counted)."""

from __future__ import annotations

from mesh_platform.domain_api import RuleViolated


class UncountableResult(RuleViolated):
    """A published result whose facts contradict each other (e.g. a winner who was not in the bout)."""
