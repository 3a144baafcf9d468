"""A subscriber's dead-lettered events over HTTP, for its owners (scope ``admin:<domain>``); ``mesh dlq`` calls these.

- ``GET /admin/dead-letters/{group}`` — every parked event of consumer group ``group`` (without data), oldest first.
- ``GET /admin/dead-letters/{group}/{partition}/{offset}`` — one parked event with its data and the reason.
- ``POST /admin/dead-letters/{group}/redrive`` — hand every parked, not yet handled event back to the subscription
  (after a fix); the reply lists the re-driven events and those still failing with their reasons.

``404`` names an unknown group or record, ``503`` says the broker could not be read; nothing changed then.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from mesh_platform.auth.scopes import admin_scope
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.http.bearer import AUTH_RESPONSES, Authorizer
from mesh_platform.subscriptions.parked import ParkedEventNotFound, ParkedEvents


def dead_letters_router(parked: Mapping[str, ParkedEvents], authorizer: Authorizer, domain: str) -> APIRouter:
    """The dead-letter routes for the subscriptions of ``domain``, keyed by consumer group."""
    router = APIRouter(prefix="/admin/dead-letters", tags=["administration"], responses=AUTH_RESPONSES)
    administrator = Annotated[AccessToken, Depends(authorizer.require(admin_scope(domain)))]

    def of(group: str) -> ParkedEvents:
        if group not in parked:
            raise HTTPException(404, f"{domain} has no subscription with consumer group {group!r}; "
                                     f"its groups: {sorted(parked)}")
        return parked[group]

    @router.get("/{group}", summary="List a subscriber's parked events")
    def list_parked(group: str, _token: administrator) -> dict[str, Any]:
        events = of(group)
        try:
            listed = events.list()
        except Exception as e:  # the broker could not be read; nothing changed
            raise HTTPException(503, f"{events.topic} could not be read: {type(e).__name__}: {e}") from e
        return {"topic": events.topic, "items": [event.summary() for event in listed]}

    @router.get("/{group}/{partition}/{offset}", summary="Show one parked event with its data and reason")
    def show_parked(group: str, partition: int, offset: int, _token: administrator) -> dict[str, Any]:
        events = of(group)
        try:
            return events.show(partition, offset).as_dict()
        except ParkedEventNotFound as e:
            raise HTTPException(404, str(e)) from e
        except Exception as e:
            raise HTTPException(503, f"{events.topic} could not be read: {type(e).__name__}: {e}") from e

    @router.post("/{group}/redrive", summary="Hand the parked events back to the subscription after a fix")
    def redrive_parked(group: str, _token: administrator) -> dict[str, Any]:
        events = of(group)
        try:
            return events.redrive().as_dict()
        except Exception as e:
            raise HTTPException(503, f"re-driving {events.topic} failed: {type(e).__name__}: {e}") from e

    return router
