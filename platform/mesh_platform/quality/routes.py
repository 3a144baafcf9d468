"""Quality over HTTP.

- ``GET /quality`` — the latest result of every rule of the service's products (any valid token);
- ``GET /admin/quality/holds[?status=held|released]`` — events held by quality rules, newest first;
- ``GET /admin/quality/holds/{id}`` — one hold with its reason and the rules that failed;
- ``POST /admin/quality/holds/{id}/release`` — ``{"reason": "..."}``: publish the held event (and those behind it)
  as they are, in order; the release is recorded with who and why;
- ``POST /admin/quality/runs`` — run every rule over the whole product now.

The admin routes need ``admin:<domain>``. ``404`` names an unknown hold or one already released.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from mesh_platform.auth.scopes import admin_scope
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.http.bearer import AUTH_RESPONSES, Authorizer
from mesh_platform.quality.holds import HoldNotFound
from mesh_platform.quality.monitor import QualityMonitor
from mesh_platform.quality.results import summary


class Release(BaseModel):
    """Why the held events may go out as they are."""

    reason: str = Field(min_length=3, max_length=2000)


def quality_router(monitor: QualityMonitor, authorizer: Authorizer, domain: str, wake_relay: Any) -> APIRouter:
    """The quality routes of ``domain``'s service."""
    router = APIRouter(tags=["quality"], responses=AUTH_RESPONSES)
    caller = Annotated[AccessToken, Depends(authorizer.caller())]
    administrator = Annotated[AccessToken, Depends(authorizer.require(admin_scope(domain)))]

    @router.get("/quality", summary="Latest result of every quality rule of this service's products")
    def latest(_token: caller) -> dict[str, Any]:
        entries = monitor.results.latest()
        return {
            "summary": summary(result for *_, result in entries),
            "held_events": monitor.holds.count_held(),
            "results": [
                {"contract_id": contract_id, "major": major, "scope": scope, **result.as_dict()}
                for contract_id, major, scope, result in entries
            ],
        }

    @router.get("/admin/quality/holds", summary="Events held back by quality rules")
    def holds(_token: administrator, status: Literal["held", "released"] | None = None) -> dict[str, Any]:
        return {"items": [hold.as_dict() for hold in monitor.holds.list(status)]}

    @router.get("/admin/quality/holds/{hold_id}", summary="One held event, why, and what it holds back")
    def hold(hold_id: int, _token: administrator) -> dict[str, Any]:
        try:
            return monitor.holds.get(hold_id).as_dict()
        except HoldNotFound as e:
            raise HTTPException(404, str(e)) from e

    @router.post("/admin/quality/holds/{hold_id}/release", summary="Publish a held event as it is, in order")
    def release(hold_id: int, body: Release, token: administrator) -> dict[str, Any]:
        try:
            released = monitor.holds.release(hold_id, by=token.subject, reason=body.reason)
        except HoldNotFound as e:
            raise HTTPException(404, str(e)) from e
        wake_relay()
        return released.as_dict()

    @router.post("/admin/quality/runs", summary="Run every quality rule over the whole product now")
    def run_now(_token: administrator) -> dict[str, Any]:
        return {"runs": [run.as_dict() for run in monitor.run_all()]}

    return router
