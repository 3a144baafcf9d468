"""Masking of personal data in data-product records and command replies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mesh_platform.auth.tokens import AccessToken


def mask_personal_data(record: dict[str, Any], pii_fields: Iterable[str]) -> dict[str, Any]:
    """A copy of ``record`` with every personal-data field set to null (contracts declare them nullable)."""
    masked = dict(record)
    for name in pii_fields:
        if name in masked:
            masked[name] = None
    return masked


@dataclass(frozen=True)
class PersonalData:
    """The personal-data fields of a product and the scope that unmasks them."""

    scope: str
    fields: frozenset[str]

    def shown_to(self, record: dict[str, Any], caller: AccessToken) -> dict[str, Any]:
        """``record`` as ``caller`` may see it: masked unless the token holds :attr:`scope`."""
        if not self.fields or caller.allows(self.scope):
            return record
        return mask_personal_data(record, self.fields)
