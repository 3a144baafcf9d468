"""``mesh up``: the broker, the catalog and every domain as separate processes, then demo data."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mesh_platform.auth.tokens import TokenIssuer, pii_scope
from mesh_platform.cli.topics_command import provision_event_plane, without_kafka_secrets
from mesh_platform.kafka import BrokerError, BrokerSettings, KafkaDistribution, LocalKafkaBroker
from mesh_platform.launcher.supervisor import LaunchError, Supervisor, port_in_use
from mesh_platform.launcher.topology import discover_services, service_environment
from mesh_platform.private_paths import private_directory
from mesh_platform.settings import DEV_TOKEN_SECRET

DemoLoader = Callable[[dict[str, str], str, Console], None]
"""Loads demo data through the services' APIs: (service URLs, a token, console)."""


def demo_tokens(secret: str) -> dict[str, str]:
    """Tokens ``mesh up`` prints: a plain reader and an analyst who may see personal data."""
    issuer = TokenIssuer(secret)
    return {
        "demo-reader": issuer.issue("demo-reader", ["read"]),
        "demo-analyst": issuer.issue("demo-analyst", ["read", pii_scope("roster", "fighters")]),
        "demo-operator": issuer.issue("demo-operator", ["*"]),
    }


def operator_token() -> str:
    """A token with every scope, signed with this machine's ``MESH_TOKEN_SECRET`` (for seeding and admin)."""
    return demo_tokens(os.environ.get("MESH_TOKEN_SECRET", DEV_TOKEN_SECRET))["demo-operator"]


def run_up(
    run_dir: Path,
    console: Console,
    *,
    load_demo: DemoLoader | None = None,
    stop_when_ready: bool = False,
) -> int:
    """Start everything, wait for readiness, load demo data, then wait for Ctrl-C and stop everything.

    ``stop_when_ready`` makes it a start-up check (used by the benchmark): it returns once all is ready.
    """
    run_dir = run_dir.resolve()
    private_directory(run_dir, tighten=True)  # stores, logs, broker data and secrets live here
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    began = time.monotonic()
    try:
        with ExitStack() as cleanup:
            services = discover_services()
            # Checked before anything starts, so a clash costs no broker start-up.
            busy = [spec for spec in services if port_in_use(spec.host, spec.port)]
            if busy:
                spec = busy[0]
                raise LaunchError(
                    f"port {spec.port} for {spec.name} is already in use; set {spec.port_variable} to use another port"
                )
            bootstrap = _start_broker(run_dir, console, cleanup)
            # Topics, principals and ACLs exist before any producer or subscriber starts.
            kafka_environments = provision_event_plane(
                run_dir, bootstrap, console, local=not BrokerSettings().kafka_bootstrap_servers
            )
            supervisor = Supervisor(run_dir)
            cleanup.callback(lambda: _stop_services(supervisor, console))
            base = without_kafka_secrets(dict(os.environ))
            for spec in services:
                console.print(f"[cyan]starting[/] {spec.name} on {spec.url}")
                supervisor.start(spec, service_environment(
                    spec, services, run_dir, bootstrap, {**base, **kafka_environments.get(spec.name, {})}
                ))
            with console.status("waiting for every service to be ready...") as status:
                for started in supervisor.processes:
                    status.update(f"waiting for {started.spec.name} to be ready...")
                    supervisor.wait_ready(started)
                    console.print(f"[green]ready[/]    {started.spec.name}")
            ready_after = time.monotonic() - began
            console.print(f"[bold green]mesh ready[/] in {ready_after:.1f}s")
            secret = os.environ.get("MESH_TOKEN_SECRET", DEV_TOKEN_SECRET)
            tokens = demo_tokens(secret)
            urls = {spec.name: spec.url for spec in services}
            if load_demo is not None:
                load_demo(urls, tokens["demo-operator"], console)
            _print_summary(console, urls, bootstrap, tokens, run_dir)
            if stop_when_ready:
                return 0
            console.print("press Ctrl-C to stop the mesh")
            while not stop.wait(1.0):
                failed = supervisor.failed()
                if failed is not None:
                    console.print(f"[red]{failed.spec.name} stopped unexpectedly[/]; see {failed.log_path}")
                    return 1
            return 0
    except (BrokerError, LaunchError) as e:
        console.print(f"[red]error:[/] {e}", highlight=False)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start_broker(run_dir: Path, console: Console, cleanup: ExitStack) -> str:
    settings = BrokerSettings()
    if settings.kafka_bootstrap_servers:
        console.print(f"using the Kafka cluster at {settings.kafka_bootstrap_servers} (KAFKA_BOOTSTRAP_SERVERS)")
        return settings.kafka_bootstrap_servers
    distribution = KafkaDistribution(settings.kafka_version)
    with console.status("resolving Apache Kafka from Maven Central (first run only)...") as status:
        distribution.classpath(progress=lambda message: status.update(message))
    broker = LocalKafkaBroker(
        run_dir / "kafka",
        port=settings.kafka_port,
        controller_port=settings.kafka_controller_port,
        distribution=distribution,
        heap=settings.kafka_heap,
    )
    with console.status("starting the Kafka broker (KRaft)..."):
        broker.start()
    cleanup.callback(broker.stop)
    console.print(f"[green]ready[/]    kafka on {broker.bootstrap_servers}")
    return broker.bootstrap_servers


def _stop_services(supervisor: Supervisor, console: Console) -> None:
    if supervisor.processes:
        console.print("stopping services...")
        supervisor.stop_all()


def _print_summary(console: Console, urls: dict[str, str], bootstrap: str, tokens: dict[str, str], run_dir: Path) -> None:
    table = Table(title="Octagon Mesh")
    table.add_column("service")
    table.add_column("url")
    for name, url in urls.items():
        table.add_row(name, url)
    table.add_row("kafka", bootstrap)
    console.print(table)
    console.print(f"logs and stores: {run_dir}")
    for subject, token in tokens.items():
        console.print(f"[bold]{subject}[/] token: {token}", soft_wrap=True, highlight=False)
