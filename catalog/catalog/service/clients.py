"""Use cases of client registration (Keycloak-like admin API, RFC 7591 in spirit): register, list, show, rotate the
secret, disable or enable, delete — each audited, each only by an admin of the client's domain (or the catalog's).

A secret is generated here, returned once and stored only as an argon2 hash. Clients of ``CATALOG_CLIENTS_FILE`` keep
working and stay the file's: this API shows them but refuses to change them (the file would put them back).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from argon2 import PasswordHasher
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlmodel import col

from catalog.adapters.access_tables import AuditRow, ClientRow, GrantRow
from catalog.domain.access import Client, may_manage_clients_of
from mesh_platform.auth.scopes import CATALOG_ADMIN_SCOPE, admin_scope
from mesh_platform.errors import Conflict, NotFound

ClientKind = Literal["service", "consumer"]
SECRET_BYTES = 32  # 256 bits, 43 URL-safe characters


class ClientsForbidden(Exception):
    """The caller does not administer the client's domain (a 403 at the edge)."""


@dataclass(frozen=True)
class IssuedSecret:
    """A client and the secret just generated for it: shown to the caller this once, never again."""

    client: Client
    secret: str


def kind_of(client: Client) -> ClientKind:
    """``service`` when the client acts as its domain (its scopes), ``consumer`` when it holds only its grants."""
    return "service" if client.domain else "consumer"


class ClientRegistry:
    """Registers and manages OAuth2 clients in the catalog's store."""

    def __init__(
        self,
        engine: Engine,
        hasher: PasswordHasher,
        lock: threading.Lock,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.hasher = hasher
        self._writes = lock
        self.clock = clock

    def register(
        self, client_id: str, domain: str, kind: ClientKind, owner: str | None, *, actor: str, scopes: frozenset[str]
    ) -> IssuedSecret:
        """A new client of ``domain`` with a generated secret. A ``service`` client acts as the domain (its write,
        admin and own-product scopes); a ``consumer`` client holds only what access requests grant it."""
        self._require(scopes, domain, f"register a client for {domain}")
        secret = secrets.token_urlsafe(SECRET_BYTES)
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            if session.get(ClientRow, client_id) is not None:
                raise Conflict(f"a client {client_id!r} exists already", field="client_id")
            row = ClientRow(
                client_id=client_id, secret_hash=self.hasher.hash(secret), created_at=now,
                domain=domain if kind == "service" else None, owner=owner, owner_domain=domain, source="api",
                registered_by=actor,
            )
            session.add(row)
            _audit(session, now, actor, "client.registered", client_id, None,
                   {"domain": domain, "kind": kind, "source": "api"})
            session.commit()
            return IssuedSecret(_client(row), secret)

    def clients(self, scopes: frozenset[str]) -> list[Client]:
        """The clients the caller manages (every one for the catalog's admin), by id."""
        with Session(self.engine) as session:
            rows = session.execute(select(ClientRow).order_by(ClientRow.client_id)).scalars().all()
        return [client for client in map(_client, rows) if may_manage_clients_of(scopes, client.owner_domain)]

    def client(self, client_id: str, scopes: frozenset[str]) -> Client:
        """One client the caller manages."""
        with Session(self.engine) as session:
            row = self._managed_row(session, client_id, scopes, "see")
            return _client(row)

    def rotate_secret(self, client_id: str, *, actor: str, scopes: frozenset[str]) -> IssuedSecret:
        """A new secret for ``client_id``; the old one stops working at once (tokens already issued run out)."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            row = self._changeable_row(session, client_id, scopes, "rotate the secret of")
            row.secret_hash = self.hasher.hash(secret)
            session.add(row)
            _audit(session, now, actor, "client.secret-rotated", client_id, None, {})
            session.commit()
            return IssuedSecret(_client(row), secret)

    def set_enabled(self, client_id: str, enabled: bool, *, actor: str, scopes: frozenset[str],
                    reason: str | None) -> Client:
        """Disable (no new token; tokens already issued run out within their lifetime) or enable again."""
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            row = self._changeable_row(session, client_id, scopes, "disable or enable")
            if enabled != (row.disabled_at is None):
                row.disabled_at = None if enabled else now
                session.add(row)
                _audit(session, now, actor, "client.enabled" if enabled else "client.disabled", client_id, reason, {})
                session.commit()
            return _client(row)

    def delete(self, client_id: str, *, actor: str, scopes: frozenset[str], reason: str | None) -> None:
        """Delete the client and revoke its active grants (its Kafka read ACLs go with them)."""
        now = self.clock()
        with self._writes, Session(self.engine) as session:
            row = self._changeable_row(session, client_id, scopes, "delete")
            grants = session.execute(select(GrantRow).where(
                col(GrantRow.client_id) == client_id, col(GrantRow.revoked_at).is_(None)
            )).scalars().all()
            for grant in grants:
                grant.revoked_by, grant.revoked_at = actor, now
                session.add(grant)
                _audit(session, now, actor, "grant.revoked", f"{client_id} {grant.scope}",
                       f"client {client_id} deleted", {"grant_id": grant.id})
            session.delete(row)
            _audit(session, now, actor, "client.deleted", client_id, reason, {"grants_revoked": len(grants)})
            session.commit()

    def _managed_row(self, session: Session, client_id: str, scopes: frozenset[str], what: str) -> ClientRow:
        row = session.get(ClientRow, client_id)
        if row is None:
            raise NotFound(f"no client {client_id!r}", field="client_id")
        self._require(scopes, row.owner_domain, f"{what} client {client_id!r}")
        return row

    def _changeable_row(self, session: Session, client_id: str, scopes: frozenset[str], what: str) -> ClientRow:
        row = self._managed_row(session, client_id, scopes, what)
        if row.source != "api":
            raise Conflict(f"client {client_id!r} is managed by the catalog's clients file (CATALOG_CLIENTS_FILE): "
                           "change it there", field="client_id")
        return row

    @staticmethod
    def _require(scopes: frozenset[str], domain: str | None, what: str) -> None:
        if not may_manage_clients_of(scopes, domain):
            needed = f"{admin_scope(domain)} or {CATALOG_ADMIN_SCOPE}" if domain else CATALOG_ADMIN_SCOPE
            raise ClientsForbidden(f"only {needed} may {what}")


def _client(row: ClientRow) -> Client:
    return Client(row.client_id, row.secret_hash, row.domain, row.owner, row.created_at, row.owner_domain,
                  row.source, row.registered_by, row.disabled_at)


def _audit(session: Session, at: datetime, actor: str, action: str, target: str, reason: str | None,
           detail: dict[str, Any]) -> None:
    session.add(AuditRow(at=at, actor=actor, action=action, target=target[:300], reason=reason, detail=detail))
