"""``mesh dlq list|show|redrive <subscriber>``: a subscriber's dead-lettered events, through its admin API.

The subscriber is a consumer group; every domain's group is named after the domain, so ``mesh dlq list schedule``
asks the schedule service. The calls need a token holding ``admin:<domain>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from mesh_tools.launcher.topology import discover_services

dlq_app = typer.Typer(no_args_is_help=True, add_completion=False)
Subscriber = Annotated[str, typer.Argument(help="The subscriber (consumer group), e.g. schedule.")]
RunDir = Annotated[Path, typer.Option("--run-dir", envvar="MESH_RUN_DIR", help="Where mesh up keeps its clients.")]
console = Console()


@dlq_app.command("list")
def list_parked(subscriber: Subscriber, run_dir: RunDir = Path(".run")) -> None:
    """List the subscriber's parked events: where they came from and why they were parked."""
    answer = _call("GET", subscriber, "", run_dir)
    table = Table(title=f"{answer['topic']}: {len(answer['items'])} parked event(s)")
    for column in ("partition/offset", "parked at", "type", "key", "from", "handled", "reason"):
        table.add_column(column)
    for event in answer["items"]:
        source = event["source"]
        table.add_row(
            f"{event['partition']}/{event['offset']}", event["parked_at"], event["event_type"] or "?", event["key"] or "",
            f"{source['topic']}@{source['partition']}/{source['offset']}", "yes" if event["handled"] else "no",
            event["reason"],
        )
    console.print(table)


@dlq_app.command("show")
def show_parked(
    subscriber: Subscriber,
    where: Annotated[str, typer.Argument(help="partition/offset in the dead-letter topic, e.g. 0/12.")],
    run_dir: RunDir = Path(".run"),
) -> None:
    """Show one parked event with its data and the reason it was parked."""
    partition, _, offset = where.partition("/")
    if not (partition.isdigit() and offset.isdigit()):
        console.print(f"[red]error:[/] {where!r} is not partition/offset, e.g. 0/12")
        raise typer.Exit(2)
    console.print_json(data=_call("GET", subscriber, f"/{partition}/{offset}", run_dir))


@dlq_app.command("redrive")
def redrive_parked(subscriber: Subscriber, run_dir: RunDir = Path(".run")) -> None:
    """Hand the parked events back to the subscriber after a fix; those that still fail stay parked."""
    report = _call("POST", subscriber, "/redrive", run_dir)
    console.print(
        f"re-driven {len(report['redriven'])}, already handled {report['already_handled']}, "
        f"still failing {len(report['still_failing'])}"
    )
    for failing in report["still_failing"]:
        console.print(f"  {failing['partition']}/{failing['offset']} {failing['event_id']}: {failing['reason']}",
                      highlight=False)
    if report["still_failing"]:
        raise typer.Exit(1)


def _call(method: str, subscriber: str, path: str, run_dir: Path) -> dict[str, Any]:
    from mesh_tools.cli.demo_clients import OPERATOR
    from mesh_tools.cli.up_command import fresh_token

    services = {spec.name: spec for spec in discover_services()}
    spec = services.get(subscriber)
    if spec is None:
        console.print(f"[red]error:[/] no subscriber named {subscriber!r}; known: {', '.join(sorted(services))}")
        raise typer.Exit(2)
    url = f"{spec.url}/admin/dead-letters/{subscriber}{path}"
    try:
        response = httpx.request(
            method, url, headers={"Authorization": f"Bearer {fresh_token(run_dir, OPERATOR)}"}, timeout=120
        )
    except httpx.HTTPError as e:
        console.print(f"[red]error:[/] {subscriber} is not reachable at {spec.url}: {e}")
        raise typer.Exit(1) from e
    if response.status_code != 200:
        detail = response.json().get("detail", response.text) if "json" in response.headers.get("content-type", "") else response.text
        console.print(f"[red]refused[/] ({response.status_code}): {detail}", highlight=False)
        raise typer.Exit(1)
    result: dict[str, Any] = response.json()
    return result
