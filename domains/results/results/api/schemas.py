"""Request and response bodies of results' command endpoints, derived from the domain's result."""

from __future__ import annotations

from pydantic import ConfigDict

from results.domain.model import BoutResult, ResultReport


class ResultCreate(ResultReport):
    """The official result of a bout."""

    model_config = ConfigDict(extra="forbid")


class ResultPublic(BoutResult):
    """A result as results' command endpoint returns it (the ``bout-results`` v1 record)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
