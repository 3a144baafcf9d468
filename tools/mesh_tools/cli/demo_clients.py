"""The OAuth2 clients of a local mesh: each domain's service client and the demo's people, with generated secrets.

``mesh up`` keeps them in ``<run dir>/clients.json`` (created 0600, never printed): the catalog registers them at
start-up (``CATALOG_CLIENTS_FILE``; it stores only hashes), each service gets its own id and secret by environment,
and ``mesh token <client>`` fetches a fresh access token for one of them from the catalog's token endpoint.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

import httpx

from mesh_platform.auth.client_credentials import ClientCredentials
from mesh_platform.auth.discovery import OidcDiscovery
from mesh_platform.auth.scopes import CATALOG_ADMIN_SCOPE, admin_scope, write_scope

CLIENTS_FILE = "clients.json"
OPERATOR = "demo-operator"
READER = "demo-reader"
ANALYST = "demo-analyst"
# The Kafka ACL reconciler's client: it reads every grant (admin:catalog is the one scope that sees them all).
ACL_RECONCILER = "event-plane"
DEMO_OWNER = "mesh up (local demo)"


def clients_path(run_dir: Path) -> Path:
    return run_dir / CLIENTS_FILE


def ensure_demo_clients(run_dir: Path, domains: list[str]) -> dict[str, dict[str, Any]]:
    """The clients of the local mesh, by id; missing ones are added with new secrets (existing secrets stay)."""
    path = clients_path(run_dir)
    clients: dict[str, dict[str, Any]] = {}
    if path.exists():
        clients = {client["client_id"]: client for client in json.loads(path.read_text())["clients"]}

    def ensure(client_id: str, **facts: Any) -> None:
        existing = clients.get(client_id, {})
        clients[client_id] = {"client_id": client_id, "secret": existing.get("secret") or secrets.token_urlsafe(32), **facts}

    for domain in domains:
        ensure(domain, domain=domain)
    # The demo operator loads demo data and replays: it writes the domains' commands, administers stats.
    ensure(OPERATOR, owner=DEMO_OWNER, scopes=sorted([*map(write_scope, domains), *map(admin_scope, domains)]))
    ensure(READER, owner=DEMO_OWNER)
    ensure(ANALYST, owner=DEMO_OWNER)
    ensure(ACL_RECONCILER, owner="mesh up (Kafka ACL reconciler)", scopes=[CATALOG_ADMIN_SCOPE])
    _write_private(path, json.dumps({"clients": list(clients.values())}, indent=2))
    return clients


def load_clients(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The clients ``mesh up`` created in ``run_dir``; :class:`FileNotFoundError` before the first ``mesh up``."""
    path = clients_path(run_dir)
    return {client["client_id"]: client for client in json.loads(path.read_text())["clients"]}


def credentials_of(run_dir: Path, client_id: str, issuer: str) -> ClientCredentials:
    """A token source for ``client_id`` of the local mesh (secret from the run directory).

    One per client, secret and issuer in this process: its token is reused until it nears expiry, so loops that
    act as a client every few seconds (``mesh up``'s approvals) do not make the catalog verify an argon2 hash each
    time.
    """
    clients = load_clients(run_dir)
    if client_id not in clients:
        raise KeyError(f"no client {client_id!r} in {clients_path(run_dir)}; known: {', '.join(sorted(clients))}")
    key = (client_id, clients[client_id]["secret"], issuer)
    with _CREDENTIALS_LOCK:
        if key not in _CREDENTIALS:
            _CREDENTIALS[key] = ClientCredentials(client_id, key[1], discovery=OidcDiscovery(issuer))
        return _CREDENTIALS[key]


_CREDENTIALS: dict[tuple[str, str, str], ClientCredentials] = {}
_CREDENTIALS_LOCK = threading.Lock()


def approve_pending_requests(
    catalog_url: str, run_dir: Path, *, reason: str, requesters: set[str] | None = None
) -> list[dict[str, Any]]:
    """Approve the pending access requests of the local mesh (only those of ``requesters`` when given), each acting
    as the owning domain's client. The catalog records each approval in its audit log under the owner's identity.
    """
    clients = load_clients(run_dir)
    approved = []
    with httpx.Client(base_url=catalog_url, timeout=10) as http:
        pending = http.get("/api/v1/access-requests", params={"status": "pending"},
                           auth=credentials_of(run_dir, OPERATOR, catalog_url)).json()["items"]
        for request in pending:
            owner = request["domain"]
            if owner not in clients or (requesters is not None and request["client_id"] not in requesters):
                continue
            response = http.post(f"/api/v1/access-requests/{request['id']}/approve", json={"reason": reason},
                                 auth=credentials_of(run_dir, owner, catalog_url))
            if response.status_code == 200:
                approved.append(response.json())
    return approved


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(path, 0o600)
