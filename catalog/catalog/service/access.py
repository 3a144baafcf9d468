"""Use cases of identity and access: clients, tokens, access requests, grants, and the audit log of every step."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlmodel import col

from catalog.adapters.access_tables import AccessRequestRow, AuditRow, ClientRow, GrantRow
from catalog.adapters.signing_key import SigningKey
from catalog.domain.access import (
    AccessRequest,
    AuditEntry,
    Client,
    Grant,
    may_decide,
    may_see,
    own_scopes,
)
from catalog.service.clients import ClientRegistry
from mesh_platform.auth.scopes import CATALOG_ADMIN_SCOPE, admin_scope, is_scope
from mesh_platform.errors import Conflict, NotFound, RuleViolated

MIN_PROD_SECRET_LENGTH = 24


class Forbidden(Exception):
    """The caller may not do this (a 403 at the edge)."""


class InvalidScopeRequest(Exception):
    """A token request asked for scopes the client does not hold (RFC 6749 ``invalid_scope``)."""


class AccessService:
    """Clients with hashed secrets, tokens signed with the catalog's key, and access decided by product owners."""

    def __init__(
        self,
        engine: Engine,
        key: SigningKey,
        *,
        issuer: str,
        audience: str,
        token_lifetime: timedelta,
        products_of: Callable[[str], list[tuple[str, int]]],
        product_exists: Callable[[str, str, int], bool],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.key = key
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.token_lifetime = token_lifetime
        self.products_of = products_of
        self.product_exists = product_exists
        self.clock = clock
        self.hasher = PasswordHasher()
        self._dummy_hash = self.hasher.hash(uuid.uuid4().hex)
        self._writes = threading.Lock()
        # Registration API of clients (same store, same hashing, same write lock).
        self.clients = ClientRegistry(engine, self.hasher, self._writes, clock)

    # clients ------------------------------------------------------------------------------------------------------

    def register_clients(self, entries: Iterable[dict[str, Any]], *, production: bool, actor: str) -> None:
        """Create or update clients from a clients file (``client_id``, ``secret``, ``domain`` or ``owner``, and
        optional ``scopes`` granted to them); secrets are stored only as argon2 hashes."""
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            for entry in entries:
                client_id, secret = str(entry["client_id"]), str(entry.get("secret") or "")
                if production and len(secret) < MIN_PROD_SECRET_LENGTH:
                    raise ValueError(f"client {client_id!r}: a secret of at least {MIN_PROD_SECRET_LENGTH} characters "
                                     "is required when MESH_ENV=prod")
                if not secret:
                    raise ValueError(f"client {client_id!r} has no secret")
                row = session.get(ClientRow, client_id)
                if row is None:
                    row = ClientRow(client_id=client_id, secret_hash=self.hasher.hash(secret), created_at=now)
                    self._audit(session, actor, "client.registered", client_id, None, {"domain": entry.get("domain")})
                elif not self._verifies(row.secret_hash, secret):
                    row.secret_hash = self.hasher.hash(secret)
                    self._audit(session, actor, "client.secret-rotated", client_id, None, {})
                row.domain = entry.get("domain")
                row.owner = entry.get("owner")
                row.owner_domain = entry.get("owner_domain") or entry.get("domain")
                row.source = "file"  # managed by the file from now on: the registration API leaves it alone
                session.add(row)
                active = {g.scope for g in self._active_grants(session, client_id)}
                for scope in entry.get("scopes", []):
                    if not is_scope(scope):
                        raise ValueError(f"client {client_id!r}: {scope!r} is not a scope of the mesh")
                    if scope not in active:
                        session.add(GrantRow(client_id=client_id, scope=scope, granted_by=actor, granted_at=now))
                        self._audit(session, actor, "grant.created", f"{client_id} {scope}", "declared in the clients file",
                                    {"client_id": client_id, "scope": scope})
            session.commit()

    def authenticate(self, client_id: str, secret: str) -> Client | None:
        """The client whose id and secret these are, or None (the time taken does not tell which part was wrong)."""
        with Session(self.engine) as session:
            row = session.get(ClientRow, client_id)
        if row is None:
            self._verifies(self._dummy_hash, secret)
            return None
        if not self._verifies(row.secret_hash, secret) or row.disabled_at is not None:
            return None
        return Client(row.client_id, row.secret_hash, row.domain, row.owner, row.created_at, row.owner_domain,
                      row.source, row.registered_by, row.disabled_at)

    def scopes_of(self, client: Client) -> set[str]:
        """Everything ``client`` holds now: its own domain's scopes and its active grants."""
        with Session(self.engine) as session:
            granted = {g.scope for g in self._active_grants(session, client.client_id)}
        own = own_scopes(client, self.products_of(client.domain)) if client.domain else set()
        return {scope for scope in own | granted if is_scope(scope)}

    def issue_token(self, client: Client, requested: str | None) -> tuple[str, int, str]:
        """A signed access token for ``client`` (optionally narrowed to ``requested`` scopes): token, lifetime, scope."""
        held = self.scopes_of(client)
        if requested:
            wanted = set(requested.split())
            missing = wanted - held
            if missing:
                raise InvalidScopeRequest(f"client {client.client_id!r} does not hold {' '.join(sorted(missing))}")
            held = wanted
        now = self.clock()
        lifetime = int(self.token_lifetime.total_seconds())
        scope = " ".join(sorted(held))
        token = self.key.sign({
            "iss": self.issuer, "sub": client.client_id, "aud": self.audience, "iat": now,
            "exp": now + self.token_lifetime, "jti": uuid.uuid4().hex, "scope": scope, "client_id": client.client_id,
        })
        return token, lifetime, scope

    # access requests ----------------------------------------------------------------------------------------------

    def request_access(
        self, subject: str, domain: str, product: str, major: int, *, pii: bool, purpose: str
    ) -> tuple[AccessRequest, bool]:
        """File a request (or find the same one pending or approved); True when it is new."""
        if not purpose.strip():
            raise RuleViolated("say what the data is for", field="purpose")
        if not self.product_exists(domain, product, major):
            raise NotFound(f"no data product {domain}/{product} v{major} is registered", field="product")
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            existing = session.execute(select(AccessRequestRow).where(
                col(AccessRequestRow.client_id) == subject, col(AccessRequestRow.domain) == domain,
                col(AccessRequestRow.product) == product, col(AccessRequestRow.major) == major,
                col(AccessRequestRow.pii) == pii,
                AccessRequestRow.status.in_(["pending", "approved"]),  # type: ignore[attr-defined]
            )).scalars().first()
            if existing is not None and (existing.status == "pending" or self._still_granted(session, existing)):
                return _request(existing), False
            row = AccessRequestRow(client_id=subject, domain=domain, product=product, major=major, pii=pii,
                                   purpose=purpose.strip(), status="pending", requested_at=now)
            session.add(row)
            session.flush()
            self._audit(session, subject, "access.requested", _request(row).target, row.purpose, {"request_id": row.id})
            session.commit()
            return _request(row), True

    def requests(self, subject: str, scopes: frozenset[str], status: str | None = None) -> list[AccessRequest]:
        """The requests ``subject`` may see (its own, those for products it administers), newest first."""
        with Session(self.engine) as session:
            query = select(AccessRequestRow).order_by(AccessRequestRow.id.desc())  # type: ignore[union-attr]
            if status:
                query = query.where(col(AccessRequestRow.status) == status)
            rows = session.execute(query.limit(1000)).scalars().all()
        return [r for r in map(_request, rows) if may_see(subject, scopes, r)]

    def decide(self, request_id: int, subject: str, scopes: frozenset[str], *, approve: bool, reason: str | None) -> AccessRequest:
        """Approve (granting its scopes) or deny a pending request, as its product's owner."""
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            row = session.get(AccessRequestRow, request_id)
            if row is None:
                raise NotFound(f"no access request {request_id}", field="id")
            request = _request(row)
            if not may_decide(scopes, request):
                raise Forbidden(f"only {admin_scope(request.domain)} or {CATALOG_ADMIN_SCOPE} decides access to "
                                f"{request.domain}'s products")
            if row.status != "pending":
                raise Conflict(f"access request {request_id} was already {row.status}", field="id")
            row.status, row.decided_by, row.decided_at, row.reason = (
                "approved" if approve else "denied", subject, now, reason)
            session.add(row)
            if approve:
                active = {g.scope for g in self._active_grants(session, row.client_id)}
                for scope in request.scopes:
                    if scope not in active:
                        session.add(GrantRow(client_id=row.client_id, scope=scope, request_id=row.id,
                                             granted_by=subject, granted_at=now))
            self._audit(session, subject, "access.approved" if approve else "access.denied",
                        f"{row.client_id} → {request.target}", reason, {"request_id": row.id})
            session.commit()
            return _request(row)

    # grants -------------------------------------------------------------------------------------------------------

    def grants(self, subject: str, scopes: frozenset[str], *, include_revoked: bool = False) -> list[Grant]:
        """The (first 2000) grants ``subject`` holds or administers, newest first."""
        return self.grants_page(subject, scopes, include_revoked=include_revoked, limit=2000)[0]

    def grants_page(
        self, subject: str, scopes: frozenset[str], *, include_revoked: bool = False, limit: int = 1000,
        before: int | None = None,
    ) -> tuple[list[Grant], int | None]:
        """One page of the grants ``subject`` holds or administers, newest first, and the cursor of the next page
        (None on the last one). ``before`` is the cursor a previous page returned."""
        with Session(self.engine) as session:
            query = select(GrantRow).order_by(GrantRow.id.desc())  # type: ignore[union-attr]
            if not include_revoked:
                query = query.where(GrantRow.revoked_at.is_(None))  # type: ignore[union-attr]
            if before is not None:
                query = query.where(col(GrantRow.id) < before)
            rows = list(session.execute(query.limit(limit + 1)).scalars().all())
        following = rows[limit - 1].id if len(rows) > limit else None  # one more row says whether a page follows
        rows = rows[:limit]
        visible = [g for g in map(_grant, rows) if g.client_id == subject or _may_administer(scopes, g.scope)]
        return visible, following

    def revoke(self, grant_id: int, subject: str, scopes: frozenset[str], reason: str | None) -> Grant:
        """End a grant: the next token of its holder lacks the scope."""
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            row = session.get(GrantRow, grant_id)
            if row is None:
                raise NotFound(f"no grant {grant_id}", field="id")
            if not (row.client_id == subject or _may_administer(scopes, row.scope)):
                raise Forbidden("only the product's owner, the catalog's admin or the holder revokes a grant")
            if row.revoked_at is not None:
                raise Conflict(f"grant {grant_id} was already revoked", field="id")
            row.revoked_by, row.revoked_at = subject, now
            session.add(row)
            self._audit(session, subject, "grant.revoked", f"{row.client_id} {row.scope}", reason, {"grant_id": row.id})
            session.commit()
            return _grant(row)

    # audit --------------------------------------------------------------------------------------------------------

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        with Session(self.engine) as session:
            rows = session.execute(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)).scalars().all()  # type: ignore[union-attr]
        return [AuditEntry(r.at, r.actor, r.action, r.target, r.reason, r.detail, r.id) for r in rows]

    # internals ----------------------------------------------------------------------------------------------------

    def _verifies(self, secret_hash: str, secret: str) -> bool:
        try:
            return self.hasher.verify(secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return False

    def _audit(
        self, session: Session, actor: str, action: str, target: str, reason: str | None, detail: dict[str, Any]
    ) -> None:
        session.add(AuditRow(at=self.clock(), actor=actor, action=action, target=target[:300], reason=reason,
                             detail=detail))

    @staticmethod
    def _active_grants(session: Session, client_id: str) -> list[GrantRow]:
        return list(session.execute(select(GrantRow).where(
            col(GrantRow.client_id) == client_id, col(GrantRow.revoked_at).is_(None)
        )).scalars())

    def _still_granted(self, session: Session, row: AccessRequestRow) -> bool:
        active = {g.scope for g in self._active_grants(session, row.client_id)}
        return set(_request(row).scopes) <= active


def _may_administer(scopes: frozenset[str], scope: str) -> bool:
    domain = scope.partition(":")[2].partition(".")[0]
    return admin_scope(domain) in scopes or CATALOG_ADMIN_SCOPE in scopes


def _request(row: AccessRequestRow) -> AccessRequest:
    return AccessRequest(row.id, row.client_id, row.domain, row.product, row.major, row.pii, row.purpose,
                         row.status, row.requested_at, row.decided_by, row.decided_at, row.reason)  # type: ignore[arg-type]


def _grant(row: GrantRow) -> Grant:
    return Grant(row.id, row.client_id, row.scope, row.request_id, row.granted_by, row.granted_at, row.revoked_by,
                 row.revoked_at)


__all__ = ["AccessService", "Forbidden", "InvalidScopeRequest", "asdict"]
