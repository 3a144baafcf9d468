"""Incidents, SLOs and notifications over HTTP.

* ``GET /api/v1/incidents`` (filters ``status``, ``domain``, ``product``, ``open``), ``GET /api/v1/incidents/{id}``
  with its append-only history, ``POST /api/v1/incidents/{id}/acknowledge`` and ``/resolve`` (a reason is required)
  by an owner of the product's domain (``write:<domain>`` or ``admin:<domain>``) or the catalog's admin;
* ``GET /api/v1/incidents/figures``: open incidents and mean times to detect, notify and repair;
* ``GET /api/v1/data-products/{domain}/{product}/v{major}/slos``: each objective's status, compliance, remaining
  error budget, multi-window burn rates, firing alerts, daily history and status changes;
* ``GET /api/v1/notifications``: the latest notifications; ``POST/GET/DELETE /api/v1/webhooks``: a caller's webhooks
  (the reply to ``POST`` carries the signing secret once).
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from catalog.api.auth import Caller, require_any
from catalog.domain.incidents import IncidentChange, IncidentStatus, IncidentTransitionError
from catalog.service.notifications import InvalidWebhook
from mesh_platform.auth.scopes import CATALOG_ADMIN_SCOPE, admin_scope, write_scope
from mesh_platform.errors import Conflict, RuleViolated
from mesh_platform.http.bearer import AUTH_RESPONSES


def trust_of(request: Request) -> Any:
    return request.app.state.trust


TrustDep = Annotated[Any, Depends(trust_of)]


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=2000)


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="Why the incident is over (kept in its history)")


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=1000, description="Where to POST notifications (CloudEvents, structured JSON)")
    domain: str | None = Field(None, max_length=100, description="Only about this domain's products (optional)")
    product: str | None = Field(None, max_length=100, description="Only about this product (needs domain)")


def _change(change: IncidentChange) -> dict[str, Any]:
    return {"at": change.at.isoformat(), "kind": change.kind, "actor": change.actor, **change.detail}


def _owner_of(caller: Any, domain: str) -> None:
    require_any(caller, write_scope(domain), admin_scope(domain), CATALOG_ADMIN_SCOPE)


def incidents_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["incidents, SLOs and notifications"])

    @router.get("/incidents", summary="Incidents, newest first")
    def list_incidents(
        trust: TrustDep, status: IncidentStatus | None = None, domain: str | None = None,
        product: str | None = None, open: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        found = trust.incidents.list(status=status.value if status else None, domain=domain, product=product,
                                     open_only=open, limit=limit)
        return {"incidents": [incident.as_dict() for incident in found]}

    @router.get("/incidents/figures", summary="Open incidents; mean times to detect, notify and repair")
    def figures(trust: TrustDep) -> dict[str, Any]:
        result: dict[str, Any] = trust.incidents.figures()
        return result

    @router.get("/incidents/{incident_id}", summary="One incident with its history",
                responses={404: {"description": "No such incident"}})
    def read_incident(incident_id: int, trust: TrustDep) -> dict[str, Any]:
        incident, history = trust.incidents.get(incident_id)
        return {**incident.as_dict(), "history": [_change(change) for change in history]}

    @router.post("/incidents/{incident_id}/acknowledge", summary="An owner takes the incident on",
                 responses={404: {"description": "No such incident"}, 409: {"description": "Not a new incident"},
                            **AUTH_RESPONSES})
    def acknowledge(incident_id: int, trust: TrustDep, caller: Caller,
                    body: Acknowledgement | None = None) -> dict[str, Any]:
        incident, _ = trust.incidents.get(incident_id)
        _owner_of(caller, incident.domain)
        try:
            result: dict[str, Any] = trust.incidents.acknowledge(incident_id, caller.subject, body.note if body else None).as_dict()
            return result
        except IncidentTransitionError as e:
            raise Conflict(str(e)) from e

    @router.post("/incidents/{incident_id}/resolve", summary="An owner resolves the incident, saying why",
                 responses={404: {"description": "No such incident"}, 409: {"description": "Already resolved"},
                            **AUTH_RESPONSES})
    def resolve(incident_id: int, body: Resolution, trust: TrustDep, caller: Caller) -> dict[str, Any]:
        incident, _ = trust.incidents.get(incident_id)
        _owner_of(caller, incident.domain)
        try:
            result: dict[str, Any] = trust.incidents.resolve(incident_id, caller.subject, body.reason).as_dict()
            return result
        except IncidentTransitionError as e:
            raise Conflict(str(e)) from e

    @router.get("/data-products/{domain}/{product}/v{major}/slos",
                summary="SLOs of a product major: status, error budget, burn rates, history",
                responses={404: {"description": "No such product version"}})
    def slos(domain: str, product: str, major: int, trust: TrustDep, request: Request) -> dict[str, Any]:
        request.app.state.registry.version(domain, product, major)  # 404 for an unknown product version
        return {"domain": domain, "product": product, "major": major,
                "objectives": [report.as_dict() for report in trust.slo.reports(domain, product, major)],
                "statusChanges": trust.slo.history(domain, product, major)}

    @router.get("/notifications", summary="The latest notifications, newest first")
    def notifications(trust: TrustDep, domain: str | None = None, product: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
        subject = f"{domain}/{product}" if domain and product else None
        return {"notifications": trust.notifications.recent(limit, subject)}

    @router.post("/webhooks", status_code=201, summary="Register a webhook for notifications",
                 responses={422: {"description": "Not an http(s) URL, or a product without its domain"},
                            **AUTH_RESPONSES})
    def add_webhook(body: WebhookCreate, trust: TrustDep, caller: Caller) -> JSONResponse:
        try:
            created = trust.notifications.add_webhook(caller.subject, body.url, body.domain, body.product)
        except InvalidWebhook as e:
            raise RuleViolated(str(e)) from e
        return JSONResponse(created, status_code=201)

    @router.get("/webhooks", summary="Your webhooks (every webhook for the catalog's admin)", responses=AUTH_RESPONSES)
    def list_webhooks(trust: TrustDep, caller: Caller) -> dict[str, Any]:
        owner = None if caller.allows(CATALOG_ADMIN_SCOPE) else caller.subject
        return {"webhooks": trust.notifications.webhooks(owner)}

    @router.get("/webhooks/{webhook_id}/deliveries", summary="Recent deliveries to one of your webhooks",
                responses=AUTH_RESPONSES)
    def deliveries(webhook_id: int, trust: TrustDep, caller: Caller) -> dict[str, Any]:
        owner = None if caller.allows(CATALOG_ADMIN_SCOPE) else caller.subject
        return {"deliveries": trust.notifications.deliveries(webhook_id, owner)}

    @router.delete("/webhooks/{webhook_id}", status_code=204, summary="Remove one of your webhooks",
                   responses={404: {"description": "No such webhook of yours"}, **AUTH_RESPONSES})
    def remove_webhook(webhook_id: int, trust: TrustDep, caller: Caller) -> None:
        owner = None if caller.allows(CATALOG_ADMIN_SCOPE) else caller.subject
        trust.notifications.remove_webhook(webhook_id, owner)

    return router
