"""The bearer-token check every protected route shares (RFC 6750), documented in OpenAPI as an HTTP bearer scheme.

``401`` problem+json with ``WWW-Authenticate: Bearer ...`` for a missing or invalid token (``error="invalid_token"``
when one was sent), ``403`` with ``error="insufficient_scope"`` for a valid token without the scope, ``503`` when
the issuer's keys cannot be fetched to judge the token.

The dependencies are ``async``: a token the verifier checked lately (:meth:`TokenVerifier.known`) is admitted on the
event loop, and only a token to check (a signature, maybe a key fetch) goes to the thread pool. A sync dependency
costs every request a thread-pool hand-off before its route runs (profiled: the largest fixed cost of a command
after the command itself).
"""

# No `from __future__ import annotations` here: FastAPI must resolve the Annotated parameters at runtime.
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from mesh_platform.auth.tokens import AccessToken, InvalidToken, KeysUnavailable, TokenVerifier

log = logging.getLogger(__name__)

REALM = "octagon-mesh"
SCHEME = HTTPBearer(
    auto_error=False,
    scheme_name="meshBearer",
    bearerFormat="JWT",
    description="An access token from the mesh's authorization server (OAuth2 client credentials at the issuer's "
    "token endpoint, see /.well-known/openid-configuration of the catalog). Scopes: read:<domain>.<product>.v<major>, "
    "pii:<domain>.<product>, write:<domain>, admin:<domain>.",
)
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token, or an invalid one (problem+json, `WWW-Authenticate: Bearer`)"},
    403: {"description": "The token lacks the scope this route needs (problem+json, `error=\"insufficient_scope\"`)"},
}
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(SCHEME)]
ScopeOf = Callable[[Request], str]


class Authorizer:
    """Builds FastAPI dependencies that admit a verified token holding a scope."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    def authenticate(self, credentials: HTTPAuthorizationCredentials | None) -> AccessToken:
        """The verified token of a request (any scope); 401/503 problems otherwise."""
        if credentials is None:
            raise HTTPException(
                401, "a bearer token is required: Authorization: Bearer <token>",
                headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
            )
        try:
            return self.verifier.verify(credentials.credentials)
        except InvalidToken as e:
            raise HTTPException(
                401, f"invalid bearer token: {e}",
                headers={"WWW-Authenticate": _challenge(error="invalid_token", error_description=str(e))},
            ) from e
        except KeysUnavailable as e:
            log.warning("cannot verify tokens: %s", e)
            raise HTTPException(503, "tokens cannot be verified right now: the issuer's keys are unreachable",
                                headers={"Retry-After": "5"}) from e

    async def authenticated(self, credentials: HTTPAuthorizationCredentials | None) -> AccessToken:
        """:meth:`authenticate` for async callers: a lately verified token at once, any other in the thread pool."""
        if credentials is not None:
            known = self.verifier.known(credentials.credentials)
            if known is not None:
                return known
            return await run_in_threadpool(self.authenticate, credentials)
        return self.authenticate(credentials)

    def caller(self) -> Callable[..., Awaitable[AccessToken]]:
        """A dependency admitting any valid token (routes that decide by themselves what the caller may do)."""

        async def verify(credentials: Credentials) -> AccessToken:
            return await self.authenticated(credentials)

        return verify

    def require(self, scope: str | ScopeOf) -> Callable[..., Awaitable[AccessToken]]:
        """A dependency admitting only a valid token holding ``scope`` (or the scope ``scope(request)`` names)."""

        async def verify(request: Request, credentials: Credentials) -> AccessToken:
            token = await self.authenticated(credentials)
            needed = scope(request) if callable(scope) else scope
            if not token.allows(needed):
                raise insufficient_scope(token, needed)
            return token

        return verify


def insufficient_scope(token: AccessToken, needed: str) -> HTTPException:
    """The 403 problem for ``token`` lacking ``needed``."""
    return HTTPException(
        403, f"the token of {token.subject!r} lacks the scope {needed!r}",
        headers={"WWW-Authenticate": _challenge(error="insufficient_scope", scope=needed)},
    )


_UNQUOTABLE = re.compile(r'[^ -~]|["\\]')


def _challenge(**params: str) -> str:
    # Header values must stay quotable: drop quotes, backslashes and control characters from free text.
    quoted = ", ".join(f'{name}="{_UNQUOTABLE.sub("", value)[:200]}"' for name, value in params.items())
    return f'Bearer realm="{REALM}", {quoted}'
