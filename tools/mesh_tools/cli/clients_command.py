"""``mesh clients register|list|show|rotate|disable|enable|delete``: the catalog's client registration API.

The caller is a client of the local mesh (``--as``, default ``demo-operator``, which administers every domain), or
``MESH_CLIENT_ID``/``MESH_CLIENT_SECRET`` (a deployment's admin client) against ``CATALOG_URL``. A secret is printed
once, on registration or rotation, and never again. Exit codes: 0 ok, 1 refused by the catalog (its problem is
printed), 2 usage error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

clients_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()

RunDir = Annotated[Path, typer.Option("--run-dir", envvar="MESH_RUN_DIR", help="The local mesh's run directory.")]
As = Annotated[str, typer.Option("--as", help="The local mesh's client to act as (needs admin:<domain>).")]
ClientId = Annotated[str, typer.Argument(help="The client's id (also its Kafka principal).")]
Reason = Annotated[str | None, typer.Option(help="Why (kept in the audit log).")]


def _call(method: str, path: str, run_dir: Path, acting_as: str, **kwargs: Any) -> Any:
    """One call to the catalog's clients API as the chosen client; exits 1 with the catalog's problem on a refusal."""
    import httpx

    from mesh_platform.auth.client_credentials import ClientCredentials
    from mesh_platform.auth.discovery import OidcDiscovery
    from mesh_tools.cli.up_command import CATALOG, local_credentials
    from mesh_tools.launcher.supervisor import LaunchError
    from mesh_tools.launcher.topology import discover_services

    catalog = next((spec for spec in discover_services() if spec.name == CATALOG), None)
    catalog_url = os.environ.get("CATALOG_URL") or (catalog.url if catalog else "http://127.0.0.1:8000")
    client_id, secret = os.environ.get("MESH_CLIENT_ID"), os.environ.get("MESH_CLIENT_SECRET")
    try:
        auth: httpx.Auth = (
            ClientCredentials(client_id, secret, discovery=OidcDiscovery(os.environ.get("MESH_OIDC_ISSUER") or catalog_url))
            if client_id and secret else local_credentials(run_dir, acting_as)
        )
        response = httpx.request(method, f"{catalog_url}/api/v1/clients{path}", auth=auth, timeout=30, **kwargs)
    except (LaunchError, httpx.HTTPError) as e:
        console.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(1) from e
    if response.status_code >= 400:
        try:
            problem = response.json()
            detail = problem.get("detail") or problem.get("title")
        except ValueError:
            detail = response.text[:300]
        console.print(f"[red]refused ({response.status_code}):[/] {escape(str(detail))}", highlight=False)
        raise typer.Exit(1)
    return response.json() if response.content else None


def _print_secret(client: dict[str, Any]) -> None:
    console.print(f"client [bold]{escape(client['client_id'])}[/] ({client['kind']} of {client['domain']})",
                  highlight=False)
    console.print("secret (shown this once; the catalog keeps only its hash):", highlight=False)
    print(client["client_secret"])


@clients_app.command("register")
def register(
    client_id: ClientId,
    domain: Annotated[str, typer.Option(help="The domain that owns it (you must administer it).")],
    kind: Annotated[str, typer.Option(help="consumer: holds only its grants; service: acts as the domain.")]
    = "consumer",
    owner: Annotated[str | None, typer.Option(help="Who runs it (a team, a person).")] = None,
    run_dir: RunDir = Path(".run"),
    acting_as: As = "demo-operator",
) -> None:
    """Register a client; its secret is printed once."""
    if kind not in ("consumer", "service"):
        console.print("[red]error:[/] --kind is consumer or service")
        raise typer.Exit(2)
    _print_secret(_call("POST", "", run_dir, acting_as,
                        json={"client_id": client_id, "domain": domain, "kind": kind, "owner": owner}))


@clients_app.command("list")
def list_clients(run_dir: RunDir = Path(".run"), acting_as: As = "demo-operator") -> None:
    """The clients you manage (never their secrets)."""
    table = Table(title="Clients")
    for column in ("client", "domain", "kind", "enabled", "source", "registered by", "created"):
        table.add_column(column)
    for client in _call("GET", "", run_dir, acting_as)["items"]:
        table.add_row(client["client_id"], client["domain"] or "", client["kind"], "yes" if client["enabled"] else "no",
                      client["source"], client["registered_by"] or "", client["created_at"][:19])
    console.print(table)


@clients_app.command("show")
def show(client_id: ClientId, run_dir: RunDir = Path(".run"), acting_as: As = "demo-operator") -> None:
    """One client (never its secret)."""
    for name, value in _call("GET", f"/{client_id}", run_dir, acting_as).items():
        console.print(f"{name}: {escape(str(value))}", highlight=False)


@clients_app.command("rotate")
def rotate(client_id: ClientId, run_dir: RunDir = Path(".run"), acting_as: As = "demo-operator") -> None:
    """A new secret, printed once; the old one stops working now."""
    _print_secret(_call("POST", f"/{client_id}/secret", run_dir, acting_as))


@clients_app.command("disable")
def disable(client_id: ClientId, reason: Reason = None, run_dir: RunDir = Path(".run"),
            acting_as: As = "demo-operator") -> None:
    """No new token for the client until enabled again."""
    _call("PATCH", f"/{client_id}", run_dir, acting_as, json={"enabled": False, "reason": reason})
    console.print(f"disabled {escape(client_id)}", highlight=False)


@clients_app.command("enable")
def enable(client_id: ClientId, reason: Reason = None, run_dir: RunDir = Path(".run"),
           acting_as: As = "demo-operator") -> None:
    """Let a disabled client get tokens again."""
    _call("PATCH", f"/{client_id}", run_dir, acting_as, json={"enabled": True, "reason": reason})
    console.print(f"enabled {escape(client_id)}", highlight=False)


@clients_app.command("delete")
def delete(client_id: ClientId, reason: Reason = None, run_dir: RunDir = Path(".run"),
           acting_as: As = "demo-operator") -> None:
    """Delete the client: no token any more, its grants revoked (its Kafka reads end with them)."""
    _call("DELETE", f"/{client_id}", run_dir, acting_as, params={"reason": reason} if reason else None)
    console.print(f"deleted {escape(client_id)}", highlight=False)
