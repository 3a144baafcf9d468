"""Signed bearer tokens (JWT, HS256) naming a consumer and its scopes.

A token's subject is the consumer's identity, which is how the catalog knows who reads which product version.
Scope ``read`` allows data-product reads; ``pii:<domain>.<product>`` unmasks that product's personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
READ_SCOPE = "read"


class InvalidToken(Exception):
    """The bearer token is missing, malformed, expired or not signed by us."""


def pii_scope(domain: str, product: str) -> str:
    """The scope that unmasks the personal data of ``domain``'s ``product``."""
    return f"pii:{domain}.{product}"


@dataclass(frozen=True)
class AccessToken:
    """What a verified token grants."""

    subject: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        """Whether the token holds ``scope`` (or the wildcard ``*``)."""
        return scope in self.scopes or "*" in self.scopes


class TokenIssuer:
    """Issues and verifies tokens with one shared secret."""

    def __init__(self, secret: str, issuer: str = "octagon-mesh") -> None:
        self.secret = secret
        self.issuer = issuer

    def issue(self, subject: str, scopes: list[str], ttl: timedelta = timedelta(days=30)) -> str:
        """A token for ``subject`` holding ``scopes``."""
        now = datetime.now(UTC)
        claims = {"sub": subject, "scope": " ".join(scopes), "iss": self.issuer, "iat": now, "exp": now + ttl}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessToken:
        """The grant of ``token``; raises :class:`InvalidToken` with the reason."""
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], issuer=self.issuer)
        except jwt.PyJWTError as e:
            raise InvalidToken(str(e)) from e
        return AccessToken(subject=claims["sub"], scopes=frozenset(claims.get("scope", "").split()))
