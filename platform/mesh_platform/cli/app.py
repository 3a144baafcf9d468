"""The ``mesh`` console script. Exit codes: 0 ok, 1 check failed, 2 usage error."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Octagon Mesh: run and govern the data mesh.", no_args_is_help=True, add_completion=False)
console = Console()

RunDir = Annotated[Path, typer.Option("--run-dir", envvar="MESH_RUN_DIR", help="Stores, logs and broker data.")]


@app.command()
def up(
    run_dir: RunDir = Path(".run"),
    demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Load the demo data set.")] = True,
) -> None:
    """Start the broker, the catalog and every domain, load demo data, and run until Ctrl-C."""
    from mesh_platform.cli.up_command import run_up

    raise typer.Exit(run_up(run_dir, console, load_demo=_demo_loader() if demo else None))


@app.command()
def broker(run_dir: RunDir = Path(".run")) -> None:
    """Run only the Kafka broker (KRaft, single node) until Ctrl-C."""
    from mesh_platform.cli.broker_command import run_broker
    from mesh_platform.kafka.settings import BrokerSettings

    raise typer.Exit(run_broker(run_dir, BrokerSettings(), console))


@app.command()
def status() -> None:
    """Show whether every service of the mesh is live and ready."""
    from mesh_platform.cli.status_command import run_status

    raise typer.Exit(run_status(console))


def _demo_loader():
    try:
        from mesh_platform.demo.loader import load_demo_data
    except ImportError:
        return None
    return load_demo_data


def _mount_optional_commands() -> None:
    try:
        from mesh_platform.cli.contracts_command import contracts_app
    except ImportError:
        return
    app.add_typer(contracts_app, name="contracts", help="Lint contracts and check changes for breaking ones.")


_mount_optional_commands()


def main() -> None:
    """Entry point of the ``mesh`` console script."""
    app()
