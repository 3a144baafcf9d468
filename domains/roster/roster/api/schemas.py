"""Request and response bodies of roster's command endpoints, derived from the domain's fighter."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from roster.domain.model import Fighter, FighterProfile


class FighterCreate(FighterProfile):
    """A fighter to register."""

    model_config = ConfigDict(extra="forbid")


class FighterUpdate(FighterCreate):
    """A fighter's complete new profile (PUT semantics)."""


class FighterPublic(Fighter):
    """A fighter as roster's command endpoints return it."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    date_of_birth: date | None = Field(  # type: ignore[assignment]
        description="Personal data: null unless the caller's token holds pii:roster.fighters"
    )
