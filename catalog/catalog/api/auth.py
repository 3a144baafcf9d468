"""Who is calling the catalog: the verified bearer token of a request (documented as the bearer scheme in OpenAPI)."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from typing import Annotated

from fastapi import Depends, Request

from mesh_platform.auth.tokens import AccessToken
from mesh_platform.http.bearer import Credentials, insufficient_scope


def caller(request: Request, credentials: Credentials) -> AccessToken:
    """The verified token of the request (401 problem without a valid one)."""
    result: AccessToken = request.app.state.authorizer.authenticate(credentials)
    return result


def require_any(token: AccessToken, *scopes: str) -> None:
    """403 unless ``token`` holds one of ``scopes``."""
    if not any(token.allows(scope) for scope in scopes):
        raise insufficient_scope(token, scopes[0])


Caller = Annotated[AccessToken, Depends(caller)]
