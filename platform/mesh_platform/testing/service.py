"""Helpers for testing one domain service in-process against a real store."""

from __future__ import annotations

from mesh_platform.auth.tokens import TokenIssuer
from mesh_platform.settings import ServiceSettings


def bearer(settings: ServiceSettings, subject: str = "test-reader", scopes: tuple[str, ...] = ("read",)) -> dict[str, str]:
    """An ``Authorization`` header with a token the service accepts."""
    return {"Authorization": f"Bearer {TokenIssuer(settings.token_secret).issue(subject, list(scopes))}"}
