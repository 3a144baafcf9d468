"""The event pipeline's progress with the errors' messages, for a domain's owners (scope ``admin:<domain>``).

``/ready`` shows the same figures to anyone but names errors by kind only; ``GET /admin/pipeline`` adds each
error's message, which may name hosts, SQL or data.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated alias at runtime.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from mesh_platform.auth.scopes import admin_scope
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.http.bearer import AUTH_RESPONSES, Authorizer


def pipeline_router(status: Callable[..., dict[str, Any]], authorizer: Authorizer, domain: str) -> APIRouter:
    """``GET /admin/pipeline``: ``status(detail=True)`` for holders of ``admin:<domain>``."""
    router = APIRouter(prefix="/admin", tags=["administration"], responses=AUTH_RESPONSES)
    administrator = Annotated[AccessToken, Depends(authorizer.require(admin_scope(domain)))]

    @router.get("/pipeline", summary="Outbox backlog and each subscription's state, lag and last error message")
    def pipeline(_token: administrator) -> dict[str, Any]:
        return status(detail=True)

    return router
