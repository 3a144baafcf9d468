"""Why roster refuses a command."""

from __future__ import annotations

from mesh_platform.domain_api import Conflict, NotFound, RuleViolated


class InvalidFighter(RuleViolated):
    """A fighter's profile breaks a registration rule."""


class FighterNotFound(NotFound):
    def __init__(self, fighter_id: str) -> None:
        super().__init__(f"no fighter with id {fighter_id!r}", field="fighter_id")


class FighterAlreadyRetired(Conflict):
    def __init__(self, fighter_id: str) -> None:
        super().__init__(f"fighter {fighter_id!r} is retired", field="fighter_id")
