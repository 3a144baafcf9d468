"""Client registration API (Keycloak-like admin API; RFC 7591 dynamic registration in spirit).

``POST /api/v1/clients`` registers a client of a domain the caller administers (``admin:<domain>``, or
``admin:catalog``) and returns its generated secret once (``Cache-Control: no-store``); the catalog keeps only an
argon2 hash. ``GET`` lists and shows clients without secrets; ``POST .../secret`` rotates it (the new one, once);
``PATCH`` disables or enables; ``DELETE`` removes the client and revokes its grants. Every step is in the audit log.
Clients of ``CATALOG_CLIENTS_FILE`` are shown but stay the file's (409 on a change).
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from catalog.api.auth import Caller
from catalog.domain.access import Client
from catalog.service.clients import ClientRegistry, ClientsForbidden, IssuedSecret, kind_of
from mesh_platform.http.bearer import AUTH_RESPONSES

# A client id is also its Kafka principal (User:<client id>): lower-case letters, digits, '.', '_', '-'.
CLIENT_ID_PATTERN = r"^[a-z][a-z0-9._-]{2,99}$"
_DOMAIN = r"^[a-z][a-z0-9-]{0,62}$"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class ClientRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(pattern=CLIENT_ID_PATTERN, description="Chosen by the caller; also the Kafka principal")
    domain: str = Field(pattern=_DOMAIN, description="The domain that owns the client (its admins manage it)")
    kind: Literal["service", "consumer"] = Field(
        "consumer", description="`service`: acts as the domain (write/admin of it, reads of its own products); "
                                "`consumer`: holds only what approved access requests grant it")
    owner: str | None = Field(None, max_length=200, description="Who runs it (a team, a person), shown to owners")


class ClientChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(description="false: no new token is issued (those issued run out within minutes)")
    reason: str | None = Field(None, max_length=1000)


class ClientPublic(BaseModel):
    """A client as the API shows it: never its secret, nor the secret's hash."""

    client_id: str
    domain: str | None = Field(description="The domain that owns it")
    kind: Literal["service", "consumer"]
    owner: str | None
    enabled: bool
    source: Literal["api", "file"] = Field(description="`file`: from CATALOG_CLIENTS_FILE, changed only there")
    registered_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, client: Client) -> "ClientPublic":
        return cls(client_id=client.client_id, domain=client.owner_domain, kind=kind_of(client), owner=client.owner,
                   enabled=client.enabled, source="api" if client.source == "api" else "file",
                   registered_by=client.registered_by, created_at=client.created_at)


class ClientWithSecret(ClientPublic):
    client_secret: str = Field(description="Shown this once: the catalog keeps only its argon2 hash")


class ClientList(BaseModel):
    items: list[ClientPublic]


def _registry(request: Request) -> ClientRegistry:
    registry: ClientRegistry = request.app.state.access.clients
    return registry


def _issued(issued: IssuedSecret, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ClientWithSecret(**ClientPublic.of(issued.client).model_dump(), client_secret=issued.secret)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers={**NO_STORE, **(headers or {})})


def clients_router() -> APIRouter:
    router = APIRouter(prefix="/clients", tags=["client registration"], responses=AUTH_RESPONSES)
    secret_reply = {"model": ClientWithSecret, "headers": {"Cache-Control": {"schema": {"type": "string"},
                                                                               "description": "no-store"}}}

    @router.post("", status_code=201, response_model=ClientWithSecret, responses={201: secret_reply},
                 summary="Register a client of a domain you administer; its secret is returned this once")
    def register(body: ClientRegistration, caller: Caller, request: Request) -> JSONResponse:
        try:
            issued = _registry(request).register(body.client_id, body.domain, body.kind, body.owner,
                                                 actor=caller.subject, scopes=caller.scopes)
        except ClientsForbidden as e:
            raise HTTPException(403, str(e)) from e
        return _issued(issued, 201, {"Location": f"{request.url.path}/{issued.client.client_id}"})

    @router.get("", response_model=ClientList, summary="The clients you manage (never their secrets)")
    def list_clients(caller: Caller, request: Request) -> ClientList:
        return ClientList(items=[ClientPublic.of(c) for c in _registry(request).clients(caller.scopes)])

    @router.get("/{client_id}", response_model=ClientPublic, summary="One client you manage (never its secret)")
    def show(client_id: str, caller: Caller, request: Request) -> ClientPublic:
        try:
            return ClientPublic.of(_registry(request).client(client_id, caller.scopes))
        except ClientsForbidden as e:
            raise HTTPException(403, str(e)) from e

    @router.post("/{client_id}/secret", response_model=ClientWithSecret, responses={200: secret_reply},
                 summary="Rotate the secret: the old one stops working now; the new one is returned this once")
    def rotate(client_id: str, caller: Caller, request: Request) -> JSONResponse:
        try:
            issued = _registry(request).rotate_secret(client_id, actor=caller.subject, scopes=caller.scopes)
        except ClientsForbidden as e:
            raise HTTPException(403, str(e)) from e
        return _issued(issued, 200)

    @router.patch("/{client_id}", response_model=ClientPublic, summary="Disable or enable a client")
    def change(client_id: str, body: ClientChange, caller: Caller, request: Request) -> ClientPublic:
        try:
            return ClientPublic.of(_registry(request).set_enabled(
                client_id, body.enabled, actor=caller.subject, scopes=caller.scopes, reason=body.reason))
        except ClientsForbidden as e:
            raise HTTPException(403, str(e)) from e

    @router.delete("/{client_id}", status_code=204, response_class=Response,
                   summary="Delete a client: no token any more, its grants revoked (its Kafka reads end with them)")
    def delete(client_id: str, caller: Caller, request: Request, reason: str | None = None) -> Response:
        try:
            _registry(request).delete(client_id, actor=caller.subject, scopes=caller.scopes, reason=reason)
        except ClientsForbidden as e:
            raise HTTPException(403, str(e)) from e
        return Response(status_code=204)

    return router
