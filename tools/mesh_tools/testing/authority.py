"""A test authorization server in-process: an Ed25519 key, its static JWKS, and tokens minted for tests.

Services built in tests verify with :meth:`TestAuthority.settings` (``oidc_issuer`` + the public JWKS), so unit and
integration tests need no running catalog; attack tests mint exactly the wrong tokens they need (expired, for
another audience, without ``sub``, signed by another key, ``alg: none``...).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mesh_platform.auth.tokens import DEFAULT_AUDIENCE, StaticKeys, TokenVerifier

TEST_ISSUER = "http://127.0.0.1:8000"
# Tests mint tokens once per module and use them for the whole suite, which on a busy machine runs longer than the
# catalog's five-minute tokens live; expiry itself is tested with explicit lifetimes.
TEST_TOKEN_LIFETIME = timedelta(hours=2)
_OMITTED = object()


class TestAuthority:
    """Mints EdDSA tokens with a key of its own; ``jwks`` is what a verifier trusts."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, issuer: str = TEST_ISSUER, audience: str = DEFAULT_AUDIENCE) -> None:
        self.issuer = issuer
        self.audience = audience
        self.private_key = Ed25519PrivateKey.generate()
        self.kid = f"test-{uuid.uuid4().hex[:8]}"

    @property
    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}

    @property
    def jwks_json(self) -> str:
        return json.dumps(self.jwks)

    def settings(self) -> dict[str, Any]:
        """Settings fields that make a service trust this authority."""
        return {"oidc_issuer": self.issuer, "oidc_audience": self.audience, "oidc_jwks": self.jwks_json}

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(StaticKeys(self.jwks), issuer=self.issuer, audience=self.audience)

    def token(
        self, subject: Any = "test-client", scopes: tuple[str, ...] | list[str] = (), *,
        lifetime: timedelta = TEST_TOKEN_LIFETIME, headers: dict[str, Any] | None = None, **claims: Any,
    ) -> str:
        """A signed token; a claim given as :data:`OMIT` (e.g. ``exp=OMIT``) is left out."""
        now = datetime.now(UTC)
        payload: dict[str, Any] = {
            "iss": self.issuer, "aud": self.audience, "sub": subject, "iat": now, "exp": now + lifetime,
            "jti": uuid.uuid4().hex, "scope": " ".join(scopes),
        }
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not _OMITTED}
        return jwt.encode(payload, self.private_key, algorithm="EdDSA", headers={"kid": self.kid, **(headers or {})})

    def bearer(self, subject: str = "test-client", scopes: tuple[str, ...] | list[str] = (), **claims: Any) -> dict[str, str]:
        """An ``Authorization`` header with :meth:`token`."""
        return {"Authorization": f"Bearer {self.token(subject, scopes, **claims)}"}


OMIT: Any = _OMITTED
"""Pass as a claim's value to :meth:`TestAuthority.token` to leave that claim out."""


@lru_cache(maxsize=1)
def test_authority() -> TestAuthority:
    """The authority of this test process (one key for the whole session)."""
    return TestAuthority()


test_authority.__test__ = False  # type: ignore[attr-defined]
