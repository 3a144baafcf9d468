"""The bearer-token check every protected route shares."""

# No `from __future__ import annotations` here: FastAPI must resolve the Annotated header at runtime.
from collections.abc import Callable
from typing import Annotated

from fastapi import Header, HTTPException

from mesh_platform.auth.tokens import AccessToken, InvalidToken, TokenIssuer


def bearer_token(issuer: TokenIssuer, scope: str) -> Callable[..., AccessToken]:
    """A FastAPI dependency admitting only a valid ``Authorization: Bearer`` token that holds ``scope``.

    401 (with ``WWW-Authenticate``) for a missing or invalid token, 403 for a token without the scope.
    """

    def verify(authorization: Annotated[str | None, Header()] = None) -> AccessToken:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise HTTPException(401, "a bearer token is required: Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            token = issuer.verify(authorization[7:].strip())
        except InvalidToken as e:
            raise HTTPException(401, f"invalid bearer token: {e}", headers={"WWW-Authenticate": "Bearer"}) from e
        if not token.allows(scope):
            raise HTTPException(403, f"token of {token.subject!r} lacks the '{scope}' scope")
        return token

    return verify
