"""Masking of personal data in data-product records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def mask_personal_data(record: dict[str, Any], pii_fields: Iterable[str]) -> dict[str, Any]:
    """A copy of ``record`` with every personal-data field set to null (contracts declare them nullable)."""
    masked = dict(record)
    for name in pii_fields:
        if name in masked:
            masked[name] = None
    return masked
