"""Administrative endpoints of a domain service; they need a token holding the wildcard scope ``*``.

``POST /admin/replay`` — rebuild the service's event-derived state from the start of its topics (what
``mesh replay <domain>`` calls). No body. Answers ``202`` with the :class:`ReplayReport` once the state is emptied and
the subscriptions restarted (the rebuild then runs in the background); ``401`` without a valid bearer token,
``403`` without scope ``*``, ``409`` when a replay is running or another consumer holds the group, ``503`` when
the broker cannot be reached — in those cases nothing changed.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from mesh_platform.auth.tokens import AccessToken, TokenIssuer
from mesh_platform.http.bearer import bearer_token
from mesh_platform.subscriptions.replay import BrokerUnreachable, SubscriptionReplay

ADMIN_SCOPE = "*"


def replay_router(replay: SubscriptionReplay, issuer: TokenIssuer) -> APIRouter:
    """``POST /admin/replay`` for ``replay``."""
    router = APIRouter(prefix="/admin", tags=["administration"])
    administrator = Annotated[AccessToken, Depends(bearer_token(issuer, ADMIN_SCOPE))]

    @router.post("/replay", status_code=202, summary="Rebuild the event-derived state from the start of the topics")
    def start_replay(_token: administrator) -> dict[str, Any]:
        try:
            return asdict(replay.replay())
        except BrokerUnreachable as e:
            raise HTTPException(503, f"replay not started: {e}") from e

    return router
