"""Administrative endpoints of a domain service; they need a token holding the domain's ``admin:<domain>`` scope.

``POST /admin/replay`` — rebuild the service's event-derived state from the start of its topics (what
``mesh replay <domain>`` calls). No body. Answers ``202`` with the :class:`ReplayReport` once the state is emptied and
the subscriptions restarted (the rebuild then runs in the background); ``401`` without a valid bearer token,
``403`` without scope ``admin:<domain>``, ``409`` when a replay is running or another consumer holds the group, ``503`` when
the broker cannot be reached — in those cases nothing changed.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from mesh_platform.auth.scopes import admin_scope
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.http.bearer import AUTH_RESPONSES, Authorizer
from mesh_platform.subscriptions.replay import BrokerUnreachable, SubscriptionReplay


def replay_router(replay: SubscriptionReplay, authorizer: Authorizer, domain: str) -> APIRouter:
    """``POST /admin/replay`` for ``replay``, open to tokens holding ``admin:<domain>``."""
    router = APIRouter(prefix="/admin", tags=["administration"], responses=AUTH_RESPONSES)
    administrator = Annotated[AccessToken, Depends(authorizer.require(admin_scope(domain)))]

    @router.post("/replay", status_code=202, summary="Rebuild the event-derived state from the start of the topics")
    def start_replay(_token: administrator) -> dict[str, Any]:
        try:
            return asdict(replay.replay())
        except BrokerUnreachable as e:
            raise HTTPException(503, f"replay not started: {e}") from e

    return router
