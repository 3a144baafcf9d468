"""OpenID Connect discovery: where an issuer keeps its signing keys and its token endpoint.

Services are configured with the issuer URL alone (``MESH_OIDC_ISSUER``); everything else comes from
``<issuer>/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0), so the catalog's authorization server,
Keycloak or any other OIDC provider can take the role.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

WELL_KNOWN_PATH = "/.well-known/openid-configuration"


class DiscoveryFailed(Exception):
    """The issuer's discovery document could not be fetched or does not describe that issuer."""


class OidcDiscovery:
    """The discovery document of ``issuer``, fetched once on first use and kept (thread-safe)."""

    def __init__(self, issuer: str, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        self.timeout = timeout
        self.transport = transport
        self._document: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.issuer + WELL_KNOWN_PATH

    def document(self) -> dict[str, Any]:
        """The discovery document; :class:`DiscoveryFailed` when the issuer cannot be asked or lies about itself."""
        with self._lock:
            if self._document is None:
                self._document = self._fetch()
            return self._document

    @property
    def jwks_uri(self) -> str:
        return self._required("jwks_uri")

    @property
    def token_endpoint(self) -> str:
        return self._required("token_endpoint")

    def _required(self, name: str) -> str:
        value = self.document().get(name)
        if not isinstance(value, str) or not value:
            raise DiscoveryFailed(f"{self.url} names no {name}")
        return value

    def _fetch(self) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.get(self.url)
        except httpx.HTTPError as e:
            raise DiscoveryFailed(f"{self.url} unreachable: {type(e).__name__}: {e}") from e
        if response.status_code != 200:
            raise DiscoveryFailed(f"{self.url} answered {response.status_code}")
        try:
            document = response.json()
        except ValueError as e:
            raise DiscoveryFailed(f"{self.url} did not answer JSON") from e
        # OIDC Discovery §4.3: the document must name the issuer it was fetched for, or it must not be used.
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != self.issuer:
            raise DiscoveryFailed(f"{self.url} describes issuer {document.get('issuer') if isinstance(document, dict) else None!r}, not {self.issuer!r}")
        return document
