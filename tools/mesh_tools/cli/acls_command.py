"""``mesh acls sync``: Kafka read ACLs brought in line with the catalog's grants (once, or ``--watch``).

It acts on Kafka as the super user (the local broker's admin from the run directory, or ``KAFKA_USERNAME``/
``KAFKA_PASSWORD`` of an external cluster) and reads the grants as an OAuth2 client holding ``admin:catalog``
(``MESH_CLIENT_ID``/``MESH_CLIENT_SECRET``, or the local mesh's ``event-plane`` client). Exit codes: 0 in line (or
brought in line), 1 when the grants or the cluster could not be read, 2 usage error.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    import httpx

acls_app = typer.Typer(no_args_is_help=True, add_completion=False)

RunDir = Annotated[Path, typer.Option("--run-dir", envvar="MESH_RUN_DIR", help="The local mesh's run directory.")]


def catalog_auth(run_dir: Path, catalog_url: str) -> httpx.Auth:
    """The reconciler's token source: ``MESH_CLIENT_ID``/``MESH_CLIENT_SECRET`` when set (a deployment's client
    holding ``admin:catalog``), else the local mesh's ``event-plane`` client."""
    from mesh_platform.auth.client_credentials import ClientCredentials
    from mesh_platform.auth.discovery import OidcDiscovery
    from mesh_tools.cli.demo_clients import ACL_RECONCILER, credentials_of

    client_id, secret = os.environ.get("MESH_CLIENT_ID"), os.environ.get("MESH_CLIENT_SECRET")
    issuer = os.environ.get("MESH_OIDC_ISSUER") or catalog_url
    if client_id and secret:
        return ClientCredentials(client_id, secret, discovery=OidcDiscovery(issuer))
    return credentials_of(run_dir.resolve(), ACL_RECONCILER, issuer)


@acls_app.command("sync")
def sync(
    run_dir: RunDir = Path(".run"),
    catalog_url: Annotated[str, typer.Option(envvar="CATALOG_URL", help="Where the catalog's grants API is.")]
    = "http://127.0.0.1:8000",
    watch: Annotated[bool, typer.Option("--watch", help="Keep reconciling until Ctrl-C (a service).")] = False,
    interval: Annotated[float, typer.Option(min=0.2, help="Seconds between rounds with --watch.")] = 2.0,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes without applying them.")] = False,
) -> None:
    """Make the broker's read ACLs what the catalog's grants say (grants added, ACLs without a grant removed)."""
    raise typer.Exit(run_acls_sync(run_dir, catalog_url, Console(), watch=watch, interval=interval, dry_run=dry_run))


def run_acls_sync(run_dir: Path, catalog_url: str, console: Console, *, watch: bool = False, interval: float = 2.0,
                  dry_run: bool = False) -> int:
    from kafka.errors import KafkaError

    from mesh_platform.contracts import ContractError, ContractsDirNotFound
    from mesh_platform.kafka.client import KafkaSettingsError
    from mesh_platform.kafka.event_plane import EventPlaneError
    from mesh_tools.cli.topics_command import admin_settings_for, load_plane
    from mesh_tools.event_plane.acl_reconciler import GrantsUnavailable
    from mesh_tools.launcher.acl_sync import audit_log_path, build_reconciler

    try:
        plane = load_plane()
        admin = admin_settings_for(run_dir)
        auth = catalog_auth(run_dir, catalog_url)
    except (ContractError, ContractsDirNotFound, EventPlaneError, KafkaSettingsError) as e:
        console.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        return 1
    except (FileNotFoundError, KeyError) as e:
        console.print(f"[red]error:[/] no reconciler client: set MESH_CLIENT_ID and MESH_CLIENT_SECRET ({escape(str(e))})",
                      highlight=False)
        return 2
    reconciler, grants = build_reconciler(plane, admin, catalog_url, auth, run_dir)
    try:
        if watch:
            stop = threading.Event()
            console.print(f"reconciling Kafka ACLs with the grants of {catalog_url} every {interval:g}s; "
                          f"changes in {audit_log_path(run_dir)} (Ctrl-C stops)", highlight=False)
            try:
                reconciler.run(stop, interval)
            except KeyboardInterrupt:
                stop.set()
            return 0
        try:
            report = reconciler.sync(dry_run=dry_run)
        except (GrantsUnavailable, KafkaError, OSError, RuntimeError) as e:
            console.print(f"[red]error:[/] nothing changed: {escape(f'{type(e).__name__}: {e}')}", highlight=False)
            return 1
        verb = "would" if dry_run else "did"
        for change in report.changes:
            console.print(f"{verb} {escape(change.line())}", highlight=False)
        console.print(f"{report.grants} read grant(s) in the catalog; {len(report.granted)} ACL(s) added, "
                      f"{len(report.revoked)} removed{' (dry run)' if dry_run else ''}", highlight=False)
        return 0
    finally:
        grants.close()
