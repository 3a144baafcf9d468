"""``mesh status``: liveness and readiness of every service."""

from __future__ import annotations

import httpx
from rich.console import Console
from rich.table import Table

from mesh_platform.launcher.topology import discover_services


def run_status(console: Console) -> int:
    """Print a table of the services; exit code 1 if any is not ready."""
    table = Table(title="Octagon Mesh status")
    for column in ("service", "url", "live", "ready", "detail"):
        table.add_column(column)
    all_ready = True
    with httpx.Client(timeout=3.0) as client:
        for spec in discover_services():
            live = ready = False
            detail = ""
            try:
                live = client.get(f"{spec.url}/health").status_code == 200
                answer = client.get(f"{spec.url}/ready")
                ready = answer.status_code == 200
                if not ready:
                    checks = answer.json().get("checks", {})
                    detail = "; ".join(f"{name}: {c['reason']}" for name, c in checks.items() if not c["ok"])
            except httpx.HTTPError as e:
                detail = f"unreachable ({type(e).__name__})"
            all_ready &= ready
            table.add_row(spec.name, spec.url, _mark(live), _mark(ready), detail)
    console.print(table)
    return 0 if all_ready else 1


def _mark(ok: bool) -> str:
    return "[green]yes[/]" if ok else "[red]no[/]"
