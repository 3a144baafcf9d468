"""Administrative endpoints of a domain service; they need a token holding the wildcard scope ``*``.

``POST /admin/replay`` — rebuild the service's event-derived state from the start of its topics (what
``mesh replay <domain>`` calls). No body. Answers ``202`` with the :class:`ReplayReport` once the state is emptied and
the subscriptions restarted (the rebuild then runs in the background); ``401`` without a valid bearer token,
``403`` without scope ``*``, ``409`` when a replay is running or another consumer holds the group, ``503`` when
the broker cannot be reached — in those cases nothing changed.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException

from mesh_platform.auth.tokens import AccessToken, InvalidToken, TokenIssuer
from mesh_platform.subscriptions.replay import BrokerUnreachable, SubscriptionReplay

ADMIN_SCOPE = "*"


def admin_token(issuer: TokenIssuer) -> Callable[..., AccessToken]:
    """A dependency that admits only bearer tokens holding scope ``*``."""

    def verify(authorization: Annotated[str | None, Header()] = None) -> AccessToken:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise HTTPException(401, "a bearer token is required: Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            token = issuer.verify(authorization[7:].strip())
        except InvalidToken as e:
            raise HTTPException(401, f"invalid bearer token: {e}", headers={"WWW-Authenticate": "Bearer"}) from e
        if ADMIN_SCOPE not in token.scopes:
            raise HTTPException(403, f"token of {token.subject!r} lacks the '{ADMIN_SCOPE}' scope administration needs")
        return token

    return verify


def replay_router(replay: SubscriptionReplay, issuer: TokenIssuer) -> APIRouter:
    """``POST /admin/replay`` for ``replay``."""
    router = APIRouter(prefix="/admin", tags=["administration"])
    administrator = Annotated[AccessToken, Depends(admin_token(issuer))]

    @router.post("/replay", status_code=202, summary="Rebuild the event-derived state from the start of the topics")
    def start_replay(_token: administrator) -> dict[str, Any]:
        try:
            return asdict(replay.replay())
        except BrokerUnreachable as e:
            raise HTTPException(503, f"replay not started: {e}") from e

    return router
