"""Who may do what in the mesh: OAuth2 clients, access requests, grants and the rules that connect them.

A client's scopes are what its grants hold, plus — for a domain's own service client — ``write:``/``admin:`` of its
domain and read (with personal data) of its own products. Grants come from approved access requests (or, for the
demo operator, from the clients file ``mesh up`` writes), and end when revoked. Nothing else confers a scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from mesh_platform.auth.scopes import CATALOG_ADMIN_SCOPE, admin_scope, pii_scope, read_scope, write_scope

RequestStatus = Literal["pending", "approved", "denied"]


@dataclass
class Client:
    """An OAuth2 client. ``domain`` is set for a domain's service client (it acts as that domain);
    ``owner_domain`` names the domain whose admins manage it; ``source`` is ``file`` or ``api``."""

    client_id: str
    secret_hash: str
    domain: str | None
    owner: str | None
    created_at: datetime
    owner_domain: str | None = None
    source: str = "file"
    registered_by: str | None = None
    disabled_at: datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


@dataclass
class AccessRequest:
    id: int | None
    client_id: str
    domain: str
    product: str
    major: int
    pii: bool
    purpose: str
    status: RequestStatus
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None

    @property
    def scopes(self) -> list[str]:
        """What approving this request grants."""
        granted = [read_scope(self.domain, self.product, self.major)]
        if self.pii:
            granted.append(pii_scope(self.domain, self.product))
        return granted

    @property
    def target(self) -> str:
        return f"{self.domain}/{self.product} v{self.major}{' +pii' if self.pii else ''}"


@dataclass
class Grant:
    id: int | None
    client_id: str
    scope: str
    request_id: int | None
    granted_by: str
    granted_at: datetime
    revoked_by: str | None = None
    revoked_at: datetime | None = None


@dataclass
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    reason: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


def own_scopes(client: Client, own_products: list[tuple[str, int]]) -> set[str]:
    """The scopes a domain's service client holds by being that domain (none for other clients)."""
    if client.domain is None:
        return set()
    scopes = {write_scope(client.domain), admin_scope(client.domain)}
    for product, major in own_products:
        scopes |= {read_scope(client.domain, product, major), pii_scope(client.domain, product)}
    return scopes


def caller_domains(scopes: frozenset[str] | set[str]) -> set[str]:
    """The domains a token speaks for: those whose ``write:`` scope it holds."""
    return {scope.removeprefix("write:") for scope in scopes if scope.startswith("write:")}


def may_decide(scopes: frozenset[str] | set[str], request: AccessRequest) -> bool:
    """Whether a token may approve or deny ``request``: the owning domain's admin, or the catalog's."""
    return admin_scope(request.domain) in scopes or CATALOG_ADMIN_SCOPE in scopes


def may_manage_clients_of(scopes: frozenset[str] | set[str], owner_domain: str | None) -> bool:
    """Whether a token may register, show, rotate, disable or delete clients of ``owner_domain``: that domain's
    admin, or the catalog's (the only one who manages clients no domain owns)."""
    if CATALOG_ADMIN_SCOPE in scopes:
        return True
    return owner_domain is not None and admin_scope(owner_domain) in scopes


def may_see(subject: str, scopes: frozenset[str] | set[str], request: AccessRequest) -> bool:
    """Requesters see their requests; owners those for their products; the catalog's admin all."""
    return request.client_id == subject or may_decide(scopes, request)
