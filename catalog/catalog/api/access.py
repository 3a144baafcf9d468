"""Access requests, grants and the audit log: how a consumer gets a scope, and how everyone sees who got what.

``POST /api/v1/access-requests`` (any client) asks for a product major, optionally with its personal data, for a
stated purpose; the owning domain (``admin:<domain>``, which its service client holds) or the catalog's admin
approves or denies it; on approval the requester's next token carries the scopes. ``POST /api/v1/grants/{id}/revoke``
ends a grant (the next token lacks the scope). Every step is written to the append-only audit log.
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from catalog.api.auth import Caller
from catalog.api.clients import clients_router
from catalog.domain.access import AccessRequest, AuditEntry, Grant
from catalog.service.access import AccessService, Forbidden
from mesh_platform.http.bearer import AUTH_RESPONSES

_NAME = r"^[a-z][a-z0-9-]{0,62}$"


class AccessRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain: str = Field(pattern=_NAME)
    product: str = Field(pattern=_NAME)
    major: int = Field(ge=1, le=9999)
    pii: bool = Field(False, description="Also ask for the product's personal data (pii:<domain>.<product>)")
    purpose: str = Field(min_length=1, max_length=1000, description="What the data is for (shown to the owner)")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, max_length=1000)


class AccessRequestPublic(BaseModel):
    id: int
    client_id: str
    domain: str
    product: str
    major: int
    pii: bool
    purpose: str
    status: Literal["pending", "approved", "denied"]
    scopes: list[str]
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, request: AccessRequest) -> "AccessRequestPublic":
        assert request.id is not None  # only stored requests are shown
        return cls(id=request.id, client_id=request.client_id, domain=request.domain, product=request.product,
                   major=request.major, pii=request.pii, purpose=request.purpose, status=request.status,
                   scopes=request.scopes, requested_at=request.requested_at, decided_by=request.decided_by,
                   decided_at=request.decided_at, reason=request.reason)


class AccessRequestList(BaseModel):
    items: list[AccessRequestPublic]


class GrantPublic(BaseModel):
    id: int
    client_id: str
    scope: str
    request_id: int | None
    granted_by: str
    granted_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, grant: Grant) -> "GrantPublic":
        return cls(**{name: getattr(grant, name) for name in cls.model_fields})


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    reason: str | None

    @classmethod
    def of(cls, entry: AuditEntry) -> "AuditEntryPublic":
        assert entry.id is not None  # only stored entries are read back
        return cls(id=entry.id, at=entry.at, actor=entry.actor, action=entry.action, target=entry.target,
                   reason=entry.reason)


def access(request: Request) -> AccessService:
    service: AccessService = request.app.state.access
    return service


def access_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["access requests and grants"])
    protected = APIRouter(responses=AUTH_RESPONSES)

    @protected.post("/access-requests", status_code=201, response_model=AccessRequestPublic,
                 summary="Ask a product's owner for read access to one major (optionally with personal data)",
                 responses={200: {"description": "The same request is already pending or approved"}})
    def request_access(body: AccessRequestCreate, caller: Caller, request: Request) -> JSONResponse:
        filed, created = access(request).request_access(
            caller.subject, body.domain, body.product, body.major, pii=body.pii, purpose=body.purpose)
        return JSONResponse(AccessRequestPublic.of(filed).model_dump(mode="json"), status_code=201 if created else 200)

    @protected.get("/access-requests", response_model=AccessRequestList,
                summary="Requests the caller made, and those for products it administers")
    def list_requests(
        caller: Caller, request: Request,
        status: Annotated[Literal["pending", "approved", "denied"] | None, Query()] = None,
    ) -> AccessRequestList:
        found = access(request).requests(caller.subject, caller.scopes, status)
        return AccessRequestList(items=[AccessRequestPublic.of(r) for r in found])

    def decide(request_id: int, approve: bool, body: Decision | None, caller: Caller, request: Request) -> AccessRequestPublic:
        try:
            decided = access(request).decide(request_id, caller.subject, caller.scopes, approve=approve,
                                             reason=body.reason if body else None)
        except Forbidden as e:
            raise HTTPException(403, str(e)) from e
        return AccessRequestPublic.of(decided)

    @protected.post("/access-requests/{request_id}/approve", response_model=AccessRequestPublic,
                 summary="Approve a pending request (the owning domain's admin:<domain>, or admin:catalog)")
    def approve(request_id: int, caller: Caller, request: Request, body: Decision | None = None) -> AccessRequestPublic:
        return decide(request_id, True, body, caller, request)

    @protected.post("/access-requests/{request_id}/deny", response_model=AccessRequestPublic,
                 summary="Deny a pending request (the owning domain's admin:<domain>, or admin:catalog)")
    def deny(request_id: int, caller: Caller, request: Request, body: Decision | None = None) -> AccessRequestPublic:
        return decide(request_id, False, body, caller, request)

    @protected.get("/grants", response_model=list[GrantPublic],
                summary="Active grants the caller holds or administers, newest first",
                description="Paged: when more grants follow, a `Link: <...>; rel=\"next\"` header (RFC 8288) names "
                            "the next page. `admin:catalog` sees every grant (the Kafka ACL reconciler reads them so).")
    def list_grants(
        caller: Caller, request: Request, response: Response, include_revoked: bool = False,
        limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
        cursor: Annotated[int | None, Query(ge=1, description="The next page's cursor, from the Link header")] = None,
    ) -> list[GrantPublic]:
        found, following = access(request).grants_page(caller.subject, caller.scopes, include_revoked=include_revoked,
                                                  limit=limit, before=cursor)
        if following is not None:
            params = {"limit": str(limit), "cursor": str(following)}
            if include_revoked:
                params["include_revoked"] = "true"
            response.headers["Link"] = f'<{request.url.path}?{urlencode(params)}>; rel="next"'
        return [GrantPublic.of(g) for g in found]

    @protected.post("/grants/{grant_id}/revoke", response_model=GrantPublic,
                 summary="Revoke a grant: the holder's next token lacks the scope")
    def revoke(grant_id: int, caller: Caller, request: Request, body: Decision | None = None) -> GrantPublic:
        try:
            return GrantPublic.of(access(request).revoke(grant_id, caller.subject, caller.scopes,
                                                         body.reason if body else None))
        except Forbidden as e:
            raise HTTPException(403, str(e)) from e

    @router.get("/audit", response_model=list[AuditEntryPublic], summary="The audit log of access, newest first")
    def audit(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEntryPublic]:
        return [AuditEntryPublic.of(entry) for entry in access(request).audit_log(limit)]

    router.include_router(protected)
    router.include_router(clients_router())
    return router
