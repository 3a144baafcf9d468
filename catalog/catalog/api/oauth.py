"""The mesh's authorization server: OIDC discovery, the JWKS, and the OAuth2 token endpoint (client credentials).

``POST /oauth2/token`` implements RFC 6749 §4.4 with ``client_secret_basic`` and ``client_secret_post``; errors
are RFC 6749 §5.2 JSON (``invalid_request``, ``invalid_client`` with ``WWW-Authenticate: Basic``,
``unsupported_grant_type``, ``invalid_scope``). Tokens are EdDSA JWTs with ``iss``, ``sub``, ``aud``, ``iat``,
``exp``, ``jti`` and ``scope``; services verify them offline against ``/.well-known/jwks.json``.
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
import base64
import binascii
from typing import Any, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from catalog.service.access import AccessService, InvalidScopeRequest

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_router() -> APIRouter:
    router = APIRouter(tags=["authorization server (OAuth2, OIDC discovery)"])

    @router.get("/.well-known/openid-configuration", summary="OpenID Connect discovery document")
    def discovery(request: Request) -> dict[str, Any]:
        issuer = request.app.state.access.issuer
        return {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "token_endpoint": f"{issuer}/oauth2/token",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "id_token_signing_alg_values_supported": ["EdDSA"],
            "token_endpoint_auth_signing_alg_values_supported": ["EdDSA"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["read:<domain>.<product>.v<major>", "pii:<domain>.<product>", "write:<domain>",
                                 "admin:<domain>", "admin:catalog"],
        }

    @router.get("/.well-known/jwks.json", summary="The public keys tokens are signed with")
    def jwks(request: Request) -> JSONResponse:
        return JSONResponse(request.app.state.access.key.jwks, headers={"Cache-Control": "public, max-age=300"})

    @router.post(
        "/oauth2/token",
        summary="Issue an access token (OAuth2 client credentials, RFC 6749 §4.4)",
        openapi_extra={"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["grant_type"], "properties": {
                "grant_type": {"type": "string", "enum": ["client_credentials"]},
                "scope": {"type": "string"}, "client_id": {"type": "string"}, "client_secret": {"type": "string"},
            }}}}}},
        # RFC 6749 §5.2 errors are plain JSON, not problem+json: say so, or the edge would document them as problems.
        responses={400: {"description": "RFC 6749 §5.2 error", "content": {"application/json": _OAUTH_ERROR}},
                   401: {"description": "invalid_client", "content": {"application/json": _OAUTH_ERROR}}},
    )
    async def token(request: Request) -> JSONResponse:
        access: AccessService = request.app.state.access
        try:
            form = await request.form()
        except Exception:  # not a form body at all
            return _error(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        basic = _basic_credentials(request.headers.get("authorization"))
        if basic is False:
            return _error(401, "invalid_client", "malformed Basic credentials")
        if basic and "client_secret" in fields:
            return _error(400, "invalid_request", "use one client authentication method, not two")
        client_id, secret = basic if basic else (fields.get("client_id"), fields.get("client_secret"))
        if fields.get("grant_type") is None:
            return _error(400, "invalid_request", "grant_type is required")
        if not client_id or secret is None:
            return _error(401, "invalid_client", "client authentication is required")
        client = await _in_thread(request, access.authenticate, client_id, secret)
        if client is None:
            return _error(401, "invalid_client", "unknown client or wrong secret")
        if fields["grant_type"] != "client_credentials":
            return _error(400, "unsupported_grant_type", "only client_credentials is supported")
        try:
            issued, lifetime, scope = access.issue_token(client, fields.get("scope"))
        except InvalidScopeRequest as e:
            return _error(400, "invalid_scope", str(e))
        return JSONResponse({"access_token": issued, "token_type": "Bearer", "expires_in": lifetime, "scope": scope},
                            headers=NO_STORE)

    return router


async def _in_thread(request: Request, function: Any, *args: Any) -> Any:
    # Verifying an argon2 hash takes tens of milliseconds: never on the event loop.
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def _basic_credentials(header: str | None) -> tuple[str, str] | None | Literal[False]:
    """(id, secret) of ``Authorization: Basic``; None without one; False when it is malformed."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        return False
    # RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


_OAUTH_ERROR = {"schema": {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "enum": ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                                        "unsupported_grant_type", "invalid_scope"]},
    "error_description": {"type": "string"}}}}


def _error(status: int, error: str, description: str) -> JSONResponse:
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="octagon-mesh"'
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)
