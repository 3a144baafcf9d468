"""A service's own access token: OAuth2 client credentials (RFC 6749 §4.4), fetched, cached and renewed early.

:class:`ClientCredentials` asks the token endpoint (named by ``MESH_OIDC_TOKEN_URL`` or found by discovery) for a
token with the service's client id and secret (``client_secret_basic``), keeps it, and fetches the next one once
``refresh_at`` (80 %) of its lifetime has passed, so a request never leaves with a token about to expire. It is an
``httpx.Auth``: give it to an httpx client and every request carries the token; a ``401`` answer drops the cached
token and retries once with a fresh one (the issuer may have rotated keys), and so does a ``403`` for a missing
scope at most every ``scope_retry_seconds`` (a grant approved since the token was issued shows in the next one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator

import httpx

from mesh_platform.auth.discovery import DiscoveryFailed, OidcDiscovery

log = logging.getLogger(__name__)


class TokenUnavailable(httpx.HTTPError):
    """No token could be obtained (endpoint unreachable, credentials refused).

    An ``httpx.HTTPError``, so callers that already treat an unreachable peer as "try again later" do the same here.
    """


class ClientCredentials(httpx.Auth):
    """The access token of one OAuth2 client, renewed before it expires (thread-safe)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_url: str | None = None,
        discovery: OidcDiscovery | None = None,
        scope: str | None = None,
        refresh_at: float = 0.8,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        scope_retry_seconds: float = 10.0,
        renew_retry_seconds: float = 5.0,
    ) -> None:
        if not token_url and discovery is None:
            raise ValueError("a token URL or the issuer's discovery is needed")
        self.client_id = client_id
        self._secret = client_secret
        self._token_url = token_url
        self.discovery = discovery
        self.scope = scope
        self.refresh_at = refresh_at
        self.timeout = timeout
        self.transport = transport
        self.clock = clock
        self._token: str | None = None
        self._renew_after = 0.0
        self._expires_at = 0.0
        self.renew_retry_seconds = renew_retry_seconds
        self.scope_retry_seconds = scope_retry_seconds
        self._last_scope_retry = float("-inf")
        self._lock = threading.Lock()
        self.fetched = 0

    def token(self) -> str:
        """A valid access token (the cached one, or a new one once 80 % of its lifetime has passed)."""
        with self._lock:
            if self._token is None or self.clock() >= self._renew_after:
                try:
                    self._token, lifetime = self._fetch()
                except TokenUnavailable as e:
                    now = self.clock()
                    if self._token is None or now >= self._expires_at - 1.0:
                        raise
                    # The issuer is down: keep the token we hold while it is valid, and ask again shortly.
                    self._renew_after = now + self.renew_retry_seconds
                    log.warning("could not renew the token of %s (%s); using the current one, valid %.0fs more",
                                self.client_id, e, self._expires_at - now)
                    return self._token
                now = self.clock()
                self._expires_at = now + lifetime
                self._renew_after = now + lifetime * self.refresh_at
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token (the next call fetches a new one)."""
        with self._lock:
            self._token = None

    def authorization(self) -> dict[str, str]:
        """The ``Authorization`` header carrying the token."""
        return {"Authorization": f"Bearer {self.token()}"}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        response = yield request
        if response.status_code == 401 or (response.status_code == 403 and self._may_retry_for_scope()):
            self.invalidate()
            request.headers["Authorization"] = f"Bearer {self.token()}"
            yield request

    def _may_retry_for_scope(self) -> bool:
        with self._lock:
            now = self.clock()
            if now - self._last_scope_retry < self.scope_retry_seconds:
                return False
            self._last_scope_retry = now
            return True

    def _fetch(self) -> tuple[str, float]:
        try:
            url = self._token_url or self.discovery.token_endpoint  # type: ignore[union-attr]
        except DiscoveryFailed as e:
            raise TokenUnavailable(f"no token endpoint: {e}") from e
        form = {"grant_type": "client_credentials", **({"scope": self.scope} if self.scope else {})}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(url, data=form, auth=(self.client_id, self._secret))
        except httpx.HTTPError as e:
            raise TokenUnavailable(f"token endpoint {url} unreachable: {type(e).__name__}: {e}") from e
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body.get("access_token"), str):
            reason = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
            raise TokenUnavailable(f"token endpoint {url} refused client {self.client_id!r}: {reason}")
        self.fetched += 1
        lifetime = body.get("expires_in")
        return body["access_token"], float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 60.0
