"""``mesh quality flagged|normal <domain>``: the points a domain's control charts flagged, and an owner's "normal".

Through the domain's admin API (``/admin/quality/spc/...``), with a token of the local mesh's operator, which
holds ``admin:<domain>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from mesh_tools.launcher.topology import discover_services

quality_app = typer.Typer(no_args_is_help=True, add_completion=False)
Domain = Annotated[str, typer.Argument(help="The domain whose charts to ask, e.g. roster.")]
RunDir = Annotated[Path, typer.Option("--run-dir", envvar="MESH_RUN_DIR", help="Where mesh up keeps its clients.")]
console = Console()


@quality_app.command("flagged")
def flagged(domain: Domain, run_dir: RunDir = Path(".run")) -> None:
    """List the points the domain's control charts flagged (not yet marked normal), newest first."""
    answer = _call("GET", domain, "/admin/quality/spc/flagged", run_dir)
    table = Table(title=f"{domain}: {len(answer['items'])} flagged point(s)")
    for column in ("id", "measured at", "product", "rule", "value", "signals", "limits"):
        table.add_column(column)
    for point in answer["items"]:
        limits = point.get("limits")
        table.add_row(
            str(point["id"]), point["measured_at"], f"{point['contract_id']} v{point['major']}", point["series"],
            f"{point['value']:g} {point['unit']}", ", ".join(point["signals"]),
            f"{limits[0]:.4g}..{limits[1]:.4g}" if limits else "",
        )
    console.print(table)


@quality_app.command("normal")
def mark_normal(
    domain: Domain,
    point: Annotated[int, typer.Argument(help="The flagged point's id (see mesh quality flagged).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the point is normal after all.")],
    run_dir: RunDir = Path(".run"),
) -> None:
    """Mark a flagged point normal: later baselines include it."""
    marked = _call("POST", domain, f"/admin/quality/spc/points/{point}/normal", run_dir, {"reason": reason})
    console.print(f"point {marked['id']} of {marked['series']} marked normal by {marked['marked_by']}",
                  highlight=False)


def _call(method: str, domain: str, path: str, run_dir: Path, body: dict[str, Any] | None = None) -> dict[str, Any]:
    from mesh_tools.cli.demo_clients import OPERATOR
    from mesh_tools.cli.up_command import fresh_token

    services = {spec.name: spec for spec in discover_services() if spec.name != "catalog"}
    spec = services.get(domain)
    if spec is None:
        console.print(f"[red]error:[/] no domain named {domain!r}; known: {', '.join(sorted(services))}")
        raise typer.Exit(2)
    from mesh_tools.launcher.supervisor import LaunchError

    try:
        token = fresh_token(run_dir, OPERATOR)
    except (LaunchError, KeyError, httpx.HTTPError) as e:  # no mesh here, or its catalog does not answer
        console.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from e
    try:
        response = httpx.request(method, f"{spec.url}{path}", json=body, timeout=60,
                                 headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as e:
        console.print(f"[red]error:[/] {domain} is not reachable at {spec.url}: {e}")
        raise typer.Exit(1) from e
    if response.status_code != 200:
        json_body = "json" in response.headers.get("content-type", "")
        detail = response.json().get("detail", response.text) if json_body else response.text
        console.print(f"[red]refused[/] ({response.status_code}): {detail}", highlight=False)
        raise typer.Exit(1)
    result: dict[str, Any] = response.json()
    return result
