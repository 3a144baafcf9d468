"""What happened to results, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from results.domain.model import BoutResult


@dataclass(frozen=True)
class ResultRecorded:
    result: BoutResult


ResultEvent = ResultRecorded
