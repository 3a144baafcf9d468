"""The ``mesh`` console script. Exit codes: 0 ok, 1 check failed, 2 usage error."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from mesh_tools.cli.acls_command import acls_app
from mesh_tools.cli.clients_command import clients_app
from mesh_tools.cli.contracts_command import contracts_app
from mesh_tools.cli.dlq_command import dlq_app
from mesh_tools.cli.quality_command import quality_app
from mesh_tools.cli.topics_cli import topics_app
from mesh_tools.launcher.postgres_stores import DEFAULT_ADMIN_URL as DEFAULT_POSTGRES_ADMIN_URL

if TYPE_CHECKING:
    from mesh_tools.cli.up_command import DemoLoader

app = typer.Typer(help="Octagon Mesh: run and govern the data mesh.", no_args_is_help=True, add_completion=False)
app.add_typer(contracts_app, name="contracts", help="Lint contracts and check changes for breaking ones.")
app.add_typer(topics_app, name="topics", help="Provision the topics, principals and ACLs derived from the contracts.")
app.add_typer(dlq_app, name="dlq", help="Inspect and re-drive a subscriber's dead-lettered events.")
app.add_typer(quality_app, name="quality", help="Flagged control-chart points, and marking them normal.")
app.add_typer(acls_app, name="acls", help="Keep Kafka's read ACLs in line with the catalog's grants.")
app.add_typer(clients_app, name="clients", help="Register and manage OAuth2 clients at the catalog.")
console = Console()

RunDir = Annotated[Path, typer.Option("--run-dir", envvar="MESH_RUN_DIR", help="Stores, logs and broker data.")]
Brokers = Annotated[int, typer.Option(
    min=1, envvar="MESH_KAFKA_BROKERS",
    help="Local Kafka nodes (KRaft, each broker and controller); 3 or more keep three replicas of every topic, two "
         "of which must acknowledge. Node n listens on KAFKA_PORT/KAFKA_CONTROLLER_PORT + 100·(n-1).")]
DEMO_ENTRY_POINT_GROUP = "octagon_mesh.demo"


@app.command()
def up(
    run_dir: RunDir = Path(".run"),
    demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Load the demo data set.")] = True,
    replicas: Annotated[int, typer.Option(min=1, help="Instances of every domain (needs --postgres).")] = 1,
    postgres: Annotated[bool, typer.Option("--postgres/--sqlite", help="A PostgreSQL database per service.")] = False,
    postgres_url: Annotated[str, typer.Option(envvar="MESH_POSTGRES_URL", help="Admin URL of the PostgreSQL server.")]
    = DEFAULT_POSTGRES_ADMIN_URL,
    brokers: Brokers = 1,
) -> None:
    """Start the broker, the catalog and every domain, load demo data, and run until Ctrl-C."""
    from mesh_tools.cli.up_command import run_up

    raise typer.Exit(run_up(run_dir, console, load_demo=_demo_loader() if demo else None, replicas=replicas,
                            postgres_url=postgres_url if postgres else None, brokers=brokers))


@app.command()
def broker(run_dir: RunDir = Path(".run"), brokers: Brokers = 1) -> None:
    """Run only Kafka (KRaft: one node, or a cluster with --brokers N) until Ctrl-C."""
    from mesh_tools.broker.settings import BrokerSettings
    from mesh_tools.cli.broker_command import run_broker

    raise typer.Exit(run_broker(run_dir, BrokerSettings(), console, brokers=brokers))


@app.command()
def status(run_dir: RunDir = Path(".run")) -> None:
    """Show whether every service of the mesh is live and ready."""
    from mesh_tools.cli.status_command import run_status

    raise typer.Exit(run_status(console, run_dir))


@app.command()
def seed(
    scale: Annotated[float, typer.Option(help="Fraction of the full demo data set (1.0 = 2,000+ fighters).")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same data set.")] = 7,
    run_dir: RunDir = Path(".run"),
) -> None:
    """Load the deterministic demo data set into a running mesh, through the domains' own APIs."""
    from mesh_tools.cli.demo_clients import OPERATOR
    from mesh_tools.cli.up_command import local_credentials
    from mesh_tools.launcher.supervisor import LaunchError
    from mesh_tools.launcher.topology import discover_services

    loader = _demo_loader()
    if loader is None:
        console.print("[red]error:[/] no demo-data loader is installed (package octagon-demo)")
        raise typer.Exit(1)
    try:
        operator = local_credentials(run_dir, OPERATOR)
    except LaunchError as e:
        console.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from None
    urls = {spec.name: spec.url for spec in discover_services()}
    loader(urls, operator.token, console, seed=seed, scale=scale)


@app.command()
def replay(
    domain: Annotated[str, typer.Argument(help="The domain whose event-derived state to rebuild.")],
    run_dir: RunDir = Path(".run"),
) -> None:
    """Drop a domain's event-derived state and rebuild it from the start of its topics (as demo-operator)."""
    from mesh_tools.cli.demo_clients import OPERATOR
    from mesh_tools.cli.replay_command import run_replay
    from mesh_tools.cli.up_command import fresh_token
    from mesh_tools.launcher.supervisor import LaunchError

    try:
        token = fresh_token(run_dir, OPERATOR)
    except LaunchError as e:
        console.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from None
    raise typer.Exit(run_replay(domain, token, console))


@app.command()
def token(
    client: Annotated[str, typer.Argument(help="A client of the local mesh: demo-reader, demo-analyst, demo-operator "
                                                "or a domain's service client.")],
    run_dir: RunDir = Path(".run"),
) -> None:
    """Print a fresh access token of a local mesh client, fetched from the catalog's token endpoint."""
    from mesh_tools.cli.up_command import fresh_token
    from mesh_tools.launcher.supervisor import LaunchError

    try:
        print(fresh_token(run_dir, client))
    except LaunchError as e:
        console.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from None


@app.command("new-domain")
def new_domain(
    name: Annotated[str, typer.Argument(help="Lower-case letters, digits and hyphens, e.g. venues.")],
    root: Annotated[Path | None, typer.Option(help="Holds domains/ and contracts/ (default: found from here).")] = None,
    entity: Annotated[str | None, typer.Option(help="The aggregate, singular (default: derived from the name).")] = None,
    install: Annotated[
        bool | None, typer.Option("--install/--no-install", help="pip install -e it (default: when in a venv).")
    ] = None,
) -> None:
    """Scaffold a domain like the others: contract, service, migration, Dockerfile and tests."""
    from mesh_tools.scaffold.command import run_new_domain

    raise typer.Exit(run_new_domain(name, root=root, entity=entity, install=install, console=Console(soft_wrap=True)))


def _demo_loader() -> DemoLoader | None:
    """The demo-data loader installed under the ``octagon_mesh.demo`` entry point, if any."""
    for entry in entry_points(group=DEMO_ENTRY_POINT_GROUP):
        loader: DemoLoader = entry.load()
        return loader
    return None


def main() -> None:
    """Entry point of the ``mesh`` console script."""
    app()


