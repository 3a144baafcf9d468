"""``mesh replay <domain>``: rebuild a domain's event-derived state from the start of its topics."""

from __future__ import annotations

import httpx
from rich.console import Console

from mesh_tools.launcher.topology import discover_services


def run_replay(domain: str, token: str, console: Console) -> int:
    """Ask ``domain``'s service to replay (``POST /admin/replay``); 0 when started, 1 when refused, 2 if unknown."""
    services = {spec.name: spec for spec in discover_services()}
    spec = services.get(domain)
    if spec is None:
        console.print(f"[red]error:[/] no domain named {domain!r}; known: {', '.join(sorted(services))}")
        return 2
    try:
        response = httpx.post(f"{spec.url}/admin/replay", headers={"Authorization": f"Bearer {token}"}, timeout=90)
    except httpx.HTTPError as e:
        console.print(f"[red]error:[/] {domain} is not reachable at {spec.url}: {e}")
        return 1
    if response.status_code == 404:
        console.print(f"[red]error:[/] {domain} derives nothing from events; it has no replay")
        return 1
    if response.status_code != 202:
        detail = response.json().get("detail", response.text) if response.headers.get("content-type", "").endswith("json") else response.text
        console.print(f"[red]replay refused[/] ({response.status_code}): {detail}")
        return 1
    report = response.json()
    console.print(
        f"[green]replay started[/] for {domain}: emptied {', '.join(report['emptied_tables'])}; "
        f"rewound {', '.join(report['consumer_groups'])} on {', '.join(report['topics'])}. "
        f"The products fill again as the events are re-read."
    )
    return 0
