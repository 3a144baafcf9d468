"""Quality over HTTP.

- ``GET /quality`` — the latest result of every rule of the service's products (any valid token);
- ``GET /admin/quality/holds[?status=held|released]`` — events held by quality rules, newest first;
- ``GET /admin/quality/holds/{id}`` — one hold with its reason and the rules that failed;
- ``POST /admin/quality/holds/{id}/release`` — ``{"reason": "..."}``: publish the held event (and those behind it)
  as they are, in order; the release is recorded with who and why;
- ``POST /admin/quality/runs`` — run every rule over the whole product now;
- ``GET /quality/history/{contract_id}/v{major}/{series}`` — the metric history of one rule (its measured values and,
  for an SPC rule, each point's verdict, signals and control limits), oldest first;
- ``GET /admin/quality/spc/flagged`` — points the control charts flagged, newest first;
- ``POST /admin/quality/spc/points/{id}/normal`` — ``{"reason": "..."}``: an owner's word that a flagged point is
  normal; later baselines include it. ``404`` names an unknown point or one not flagged.

The admin routes need ``admin:<domain>``. ``404`` names an unknown hold or one already released.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from mesh_platform.auth.scopes import admin_scope
from mesh_platform.auth.tokens import AccessToken
from mesh_platform.http.bearer import AUTH_RESPONSES, Authorizer
from mesh_platform.quality.holds import HoldNotFound
from mesh_platform.quality.metric_history import PointNotFound
from mesh_platform.quality.monitor import QualityMonitor
from mesh_platform.quality.results import summary
from mesh_platform.quality.spc_charts import point_summary


class Release(BaseModel):
    """Why the held events may go out as they are."""

    reason: str = Field(min_length=3, max_length=2000)


class MarkNormal(BaseModel):
    """Why a flagged point is normal after all."""

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
            "flagged_points": [point_summary(point) for point in monitor.spc.history.flagged(limit=20)],
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

    @router.get("/quality/history/{contract_id}/v{major}/{series}",
                summary="Measured values of one quality rule, and how its control chart judged them")
    def history(contract_id: str, major: int, series: str, _token: caller,
                limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, Any]:
        points = monitor.spc.history.series(contract_id, major, series, limit=limit)
        return {"contract_id": contract_id, "major": major, "series": series,
                "items": [point_summary(point) for point in points]}

    @router.get("/admin/quality/spc/flagged", summary="Points the control charts flagged, newest first")
    def flagged(_token: administrator, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        return {"items": [point_summary(point) for point in monitor.spc.history.flagged(limit=limit)]}

    @router.post("/admin/quality/spc/points/{point_id}/normal", summary="Mark a flagged point as normal")
    def mark_normal(point_id: int, body: MarkNormal, token: administrator) -> dict[str, Any]:
        try:
            return point_summary(monitor.spc.history.mark_normal(point_id, by=token.subject, reason=body.reason))
        except PointNotFound as e:
            raise HTTPException(404, str(e)) from e

    return router
