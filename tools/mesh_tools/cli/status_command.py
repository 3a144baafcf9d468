"""``mesh status``: liveness, readiness, restarts and event-pipeline progress of every service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from mesh_tools.launcher.supervisor import read_state
from mesh_tools.launcher.topology import discover_services


def run_status(console: Console, run_dir: Path) -> int:
    """Print a table of the services; exit code 1 if any is not ready."""
    table = Table(title="Octagon Mesh status")
    for column in ("service", "url", "live", "ready", "restarts", "outbox", "subscriptions", "detail"):
        table.add_column(column)
    supervised = read_state(run_dir)
    all_ready = True
    with httpx.Client(timeout=3.0) as client:
        for spec in discover_services():
            live = ready = False
            detail, outbox, subscriptions = "", "", ""
            try:
                live = client.get(f"{spec.url}/health").status_code == 200
                answer = client.get(f"{spec.url}/ready")
                ready = answer.status_code == 200
                body = answer.json()
                if not ready:
                    checks = body.get("checks", {})
                    detail = "; ".join(f"{name}: {c['reason']}" for name, c in checks.items() if not c["ok"])
                outbox, subscriptions, failing = _pipeline(body.get("pipeline") or {})
                detail = "; ".join(part for part in (detail, failing) if part)
            except (httpx.HTTPError, ValueError) as e:
                detail = f"unreachable ({type(e).__name__})"
            all_ready &= ready
            restarts = str(supervised.get(spec.name, {}).get("restarts", "-"))
            table.add_row(
                spec.name, spec.url, _mark(live), _mark(ready), restarts, outbox, subscriptions, detail
            )
    for name, node in supervised.items():
        if name == "kafka" or name.startswith("kafka-"):  # the local broker nodes mesh up supervises
            running = bool(node.get("running"))
            all_ready &= running
            exit_note = f"last exit code {node['last_exit']}" if node.get("last_exit") is not None else ""
            table.add_row(name, str(node.get("url", "")), _mark(running), "-", str(node.get("restarts", 0)),
                          "", "", exit_note)
    console.print(table)
    return 0 if all_ready else 1


def _pipeline(pipeline: dict[str, Any]) -> tuple[str, str, str]:
    """(outbox backlog, ``group: state lag N`` per subscription, failures) for the table."""
    outbox = pipeline.get("outbox") or {}
    pending = "" if not outbox else f"{outbox.get('pending', '?')} pending"
    subscriptions = pipeline.get("subscriptions") or {}
    lines = [f"{group}: {health['state']}, lag {health['lag']}" for group, health in subscriptions.items()]
    failing = [
        f"{group} failing for {health.get('failing_for_seconds')}s: {health['error']} (message: GET /admin/pipeline)"
        for group, health in subscriptions.items()
        if health.get("error")
    ]
    return pending, "\n".join(lines), "; ".join(failing)


def _mark(ok: bool) -> str:
    return "[green]yes[/]" if ok else "[red]no[/]"
