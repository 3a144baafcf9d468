"""The ``mesh topics`` command group (the work is in :mod:`mesh_tools.cli.topics_command`, imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

topics_app = typer.Typer(no_args_is_help=True, add_completion=False)

RunDir = Annotated[
    Path, typer.Option("--run-dir", envvar="MESH_RUN_DIR", help="Holds the local broker's admin password and domain passwords.")
]
ContractsDir = Annotated[
    Path | None, typer.Option("--contracts-dir", envvar="MESH_CONTRACTS_DIR", help="Default: the repository's contracts/.")
]


@topics_app.command("apply")
def apply(
    run_dir: RunDir = Path(".run"),
    contracts_dir: ContractsDir = None,
    declared_reads: Annotated[bool, typer.Option(
        "--declared-reads/--no-declared-reads",
        help="Grant the subscriptions.yaml reads here; --no-declared-reads where `mesh acls sync` makes the catalog's "
             "grants the source of read ACLs.")] = True,
) -> None:
    """Create missing topics, set drifted configs back, write SCRAM users and ACLs; exit 1 on a mismatch left."""
    from mesh_tools.cli.topics_command import run_topics_apply

    raise typer.Exit(run_topics_apply(run_dir, Console(), contracts_dir, declared_reads=declared_reads))


@topics_app.command("list")
def list_topics(run_dir: RunDir = Path(".run"), contracts_dir: ContractsDir = None) -> None:
    """List the topics the contracts derive, with their settings and state on the cluster; changes nothing."""
    from mesh_tools.cli.topics_command import run_topics_list

    raise typer.Exit(run_topics_list(run_dir, Console(), contracts_dir))
