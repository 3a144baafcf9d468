"""Verifying access tokens offline: JWTs signed by the mesh's authorization server with an asymmetric key.

Services never hold a signing key. They verify a token's signature against the issuer's published keys (JWKS,
found by OIDC discovery and cached; an unknown ``kid`` makes PyJWT's ``PyJWKClient`` fetch them again) and require
``iss``, ``aud``, ``sub``, ``iat`` and ``exp``. Only asymmetric algorithms are accepted, and only the one matching
the key: ``alg: none``, HMAC (``HS256`` keyed with the public key) and a key the issuer does not publish all fail.

A verified token is remembered (by its exact text) until it expires, and for a minute at most, so a client sending the
same token with every request — every loader and service does — costs one signature check a minute, not one a
request; :meth:`TokenVerifier.known` answers from that memory alone (no key fetch), so an async route can use it on
the event loop.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import jwt

from mesh_platform.auth.discovery import DiscoveryFailed, OidcDiscovery

ASYMMETRIC_ALGORITHMS = frozenset({"EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"})
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp")
DEFAULT_AUDIENCE = "octagon-mesh"


class InvalidToken(Exception):
    """The bearer token is malformed, expired, for someone else, or not signed by the issuer's keys."""


class KeysUnavailable(Exception):
    """The issuer's keys cannot be fetched right now, so no token can be judged (try again later)."""


@dataclass(frozen=True)
class AccessToken:
    """What a verified token grants: who (``subject``, the OAuth2 client) and which scopes."""

    subject: str
    scopes: frozenset[str]
    expires_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        """Whether the token holds exactly ``scope`` (there is no wildcard)."""
        return scope in self.scopes


class KeySource(Protocol):
    """Where a verifier finds the public key a token names."""

    def key_for(self, token: str) -> jwt.PyJWK:
        """The key that should have signed ``token`` (by its ``kid``)."""
        ...


class StaticKeys:
    """A fixed JWKS (tests; deployments that pin the issuer's keys with ``MESH_OIDC_JWKS``)."""

    def __init__(self, jwks: dict[str, Any] | str) -> None:
        document = json.loads(jwks) if isinstance(jwks, str) else jwks
        try:
            self.keys = jwt.PyJWKSet.from_dict(document).keys
        except jwt.PyJWTError as e:
            raise ValueError(f"not a usable JWKS: {e}") from e

    def key_for(self, token: str) -> jwt.PyJWK:
        kid = _header(token).get("kid")
        for key in self.keys:
            if key.key_id == kid or (kid is None and len(self.keys) == 1):
                return key
        raise InvalidToken(f"no key {kid!r} among the issuer's keys")


class DiscoveredKeys:
    """The issuer's JWKS, found through its discovery document on first use and cached by ``PyJWKClient``."""

    def __init__(self, discovery: OidcDiscovery, *, cache_seconds: int = 300) -> None:
        self.discovery = discovery
        self.cache_seconds = cache_seconds
        self._client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def key_for(self, token: str) -> jwt.PyJWK:
        try:
            client = self._jwk_client()
            return client.get_signing_key_from_jwt(token)
        except DiscoveryFailed as e:
            raise KeysUnavailable(str(e)) from e
        except jwt.PyJWKClientConnectionError as e:
            raise KeysUnavailable(f"the issuer's keys are unreachable: {e}") from e
        except jwt.PyJWKClientError as e:  # the kid is unknown even after a refetch
            raise InvalidToken(str(e)) from e
        except jwt.DecodeError as e:
            raise InvalidToken(f"malformed token: {e}") from e

    def _jwk_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._client is None:
                self._client = jwt.PyJWKClient(
                    self.discovery.jwks_uri, cache_keys=True, cache_jwk_set=True, lifespan=self.cache_seconds,
                    timeout=5,
                )
            return self._client


class TokenVerifier:
    """Checks tokens of one issuer for one audience against ``keys``.

    ``remember_seconds`` bounds how long a verified token is taken on trust without a new signature check (never
    past its ``exp`` and the leeway); ``remembered`` how many tokens are kept (the oldest are forgotten first);
    ``clock`` is the time in epoch seconds.
    """

    def __init__(
        self, keys: KeySource, *, issuer: str, audience: str = DEFAULT_AUDIENCE, leeway: float = 30.0,
        remember_seconds: float = 60.0, remembered: int = 1024, clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = keys
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.leeway = leeway
        self.remember_seconds = remember_seconds
        self.remembered = remembered
        self.clock = clock
        self._verified: dict[str, tuple[float, AccessToken]] = {}  # token -> (trusted until, epoch seconds; grant)
        self._lock = threading.Lock()

    def known(self, token: str) -> AccessToken | None:
        """The grant of ``token`` if it was verified lately and has not expired since; None otherwise (verify it)."""
        entry = self._verified.get(token)
        if entry is None:
            return None
        if self.clock() >= entry[0]:
            with self._lock:
                self._verified.pop(token, None)
            return None
        return entry[1]

    def verify(self, token: str) -> AccessToken:
        """The grant of ``token``; :class:`InvalidToken` with the reason, :class:`KeysUnavailable` if undecidable."""
        grant = self.known(token)
        if grant is not None:
            return grant
        grant = self._check(token)
        now = self.clock()
        until = now + self.remember_seconds
        if grant.expires_at is not None:
            until = min(until, grant.expires_at.timestamp() + self.leeway)
        if until > now:
            with self._lock:
                while len(self._verified) >= self.remembered:
                    del self._verified[next(iter(self._verified))]
                self._verified[token] = (until, grant)
        return grant

    def _check(self, token: str) -> AccessToken:
        algorithm = _header(token).get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise InvalidToken(f"algorithm {algorithm!r} is not accepted (only asymmetric signatures are)")
        key = self.keys.key_for(token)
        if key.algorithm_name != algorithm:
            raise InvalidToken(f"the token says {algorithm} but key {key.key_id!r} is a {key.algorithm_name} key")
        try:
            claims = jwt.decode(
                token, key.key, algorithms=[key.algorithm_name], audience=self.audience,
                issuer=[self.issuer, self.issuer + "/"], leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as e:
            raise InvalidToken(str(e)) from e
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise InvalidToken("the token names no subject ('sub')")
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise InvalidToken("the 'scope' claim must be a space-separated string")
        return AccessToken(subject, frozenset(scope.split()), datetime.fromtimestamp(claims["exp"], UTC))


def _header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError as e:
        raise InvalidToken(f"malformed token: {e}") from e
