"""What happened to fighters, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roster.domain.model import Fighter


@dataclass(frozen=True)
class FighterRegistered:
    fighter: Fighter


@dataclass(frozen=True)
class FighterUpdated:
    fighter: Fighter
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class FighterRetired:
    fighter: Fighter


FighterEvent = FighterRegistered | FighterUpdated | FighterRetired
