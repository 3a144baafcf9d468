"""``mesh up``: the broker, the catalog and every domain as separate processes, then demo data."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from mesh_platform.auth.client_credentials import ClientCredentials, TokenUnavailable
from mesh_platform.contracts import ContractRegistry
from mesh_platform.private_paths import private_directory
from mesh_tools.broker import BrokerError, BrokerSettings, KafkaDistribution, LocalKafkaBroker
from mesh_tools.broker.cluster import LocalKafkaCluster
from mesh_tools.cli.demo_clients import (
    ACL_RECONCILER,
    ANALYST,
    OPERATOR,
    READER,
    approve_pending_requests,
    clients_path,
    credentials_of,
    ensure_demo_clients,
)
from mesh_tools.cli.topics_command import (
    admin_settings_for,
    load_plane,
    provision_event_plane,
    without_kafka_secrets,
)
from mesh_tools.launcher.acl_sync import build_reconciler, start_reconciler
from mesh_tools.launcher.broker_supervisor import BrokerSupervisor
from mesh_tools.launcher.catch_up import http_pipeline_reader, wait_for_catch_up
from mesh_tools.launcher.crosscheck_process import CrossCheckJob, ensure_crosscheck_client
from mesh_tools.launcher.postgres_stores import ensure_service_databases
from mesh_tools.launcher.supervisor import LaunchError, Supervisor, claim_run_dir, port_in_use
from mesh_tools.launcher.topology import ServiceSpec, discover_services, service_environment, with_replicas


class DemoLoader(Protocol):
    """Loads demo data through the services' APIs: (service URLs, a source of fresh operator tokens, console);
    ``seed`` and ``scale`` choose the data set (``mesh seed`` passes them, ``mesh up`` keeps the defaults)."""

    def __call__(
        self, urls: dict[str, str], token: Callable[[], str], console: Console, *, seed: int = ..., scale: float = ...
    ) -> object: ...


CATALOG = "catalog"
APPROVAL_REASON = "approved by mesh up for the local demo mesh"


def run_up(
    run_dir: Path,
    console: Console,
    *,
    load_demo: DemoLoader | None = None,
    stop_when_ready: bool = False,
    replicas: int = 1,
    postgres_url: str | None = None,
    brokers: int = 1,
) -> int:
    """Start everything, wait for readiness, load demo data, then wait for Ctrl-C and stop everything.

    ``stop_when_ready`` makes it a start-up check (used by the benchmark): it returns once all is ready.
    ``postgres_url`` (an admin URL) gives every service a PostgreSQL database of its own instead of a SQLite file;
    ``replicas`` runs every domain that many times, sharing its store (which then has to be PostgreSQL).
    ``brokers`` > 1 starts a local KRaft cluster of that many nodes instead of one broker (node n on
    ``KAFKA_PORT``/``KAFKA_CONTROLLER_PORT`` + 100·(n-1)); services get every node's address.
    """
    run_dir = run_dir.resolve()
    private_directory(run_dir, tighten=True)  # stores, logs, broker data and secrets live here
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    began = time.monotonic()
    try:
        with ExitStack() as cleanup:
            # One mesh up per run directory; what a killed one left running is stopped first.
            cleanup.callback(claim_run_dir(run_dir).release)
            services = _scaled(discover_services(), replicas, postgres_url, console)
            # Checked before anything starts, so a clash costs no broker start-up.
            busy = [spec for spec in services if port_in_use(spec.host, spec.port)]
            if busy:
                spec = busy[0]
                raise LaunchError(
                    f"port {spec.port} for {spec.name} is already in use; set {spec.port_variable} to use another port"
                )
            bootstrap, broker = _start_broker(run_dir, console, cleanup, brokers)
            # Topics, principals and ACLs exist before any producer or subscriber starts.
            # The declared subscriptions' reads are granted here too, so the services start without waiting on the
            # catalog; once the owners have approved them, the ACL reconciler (below) makes the catalog's grants
            # the source of every read ACL.
            kafka_environments = provision_event_plane(
                run_dir, bootstrap, console, local=not BrokerSettings().kafka_bootstrap_servers
            )
            # A dead broker node is restarted on its data like a crashed service.
            supervisor = Supervisor(run_dir, brokers=BrokerSupervisor(broker) if broker is not None else None)
            cleanup.callback(lambda: _stop_services(supervisor, console))
            base = without_kafka_secrets(dict(os.environ))
            domains = [spec.name for spec in services if spec.name != CATALOG]
            clients = ensure_demo_clients(run_dir, domains)
            ensure_crosscheck_client(run_dir)  # registered by the catalog with the others
            for spec in services:
                console.print(f"[cyan]starting[/] {spec.process_name} on {spec.url}")
                environment = service_environment(
                    spec, services, run_dir, bootstrap, {**base, **kafka_environments.get(spec.name, {})}
                )
                environment.update(_credentials_environment(spec, clients, run_dir))
                supervisor.start(spec, environment)
            with console.status("waiting for every service to be ready...") as status:
                for started in supervisor.processes:
                    status.update(f"waiting for {started.spec.name} to be ready...")
                    supervisor.wait_ready(started)
                    console.print(f"[green]ready[/]    {started.spec.process_name}")
            ready_after = time.monotonic() - began
            console.print(f"[bold green]mesh ready[/] in {ready_after:.1f}s")
            urls = {spec.name: spec.url for spec in services if spec.instance == 1}
            catalog_url = urls.get(CATALOG)
            if catalog_url is not None:
                _grant_demo_access(catalog_url, run_dir, domains, console)
                # Next to the broker, with its admin credentials: from now on the catalog's grants are the read ACLs.
                reconciler = start_reconciler(*build_reconciler(
                    load_plane(), admin_settings_for(run_dir, bootstrap, local=not BrokerSettings().kafka_bootstrap_servers),
                    catalog_url, credentials_of(run_dir, ACL_RECONCILER, catalog_url), run_dir))
                cleanup.callback(reconciler.stop)
                threading.Thread(target=_keep_approving_services,
                                 args=(catalog_url, run_dir, set(domains), reconciler.reconciler.wake),
                                 name="demo-approvals", daemon=True).start()
                console.print("[green]ready[/]    Kafka read ACLs follow the catalog's grants (ACL reconciler)")
                if load_demo is not None:
                    load_demo(urls, credentials_of(run_dir, OPERATOR, catalog_url).token, console)
                    _wait_for_consistency({spec.process_name: spec.url for spec in services}, console)
            if catalog_url is not None:  # the cross-product checks, on their rules' schedules
                cleanup.callback(CrossCheckJob(run_dir, urls, base).start().stop)
            _print_summary(console, urls, bootstrap, run_dir)
            if stop_when_ready:
                return 0
            console.print("press Ctrl-C to stop the mesh")
            while not stop.wait(1.0):
                # A crashed domain is restarted with back-off; the others keep serving meanwhile.
                for line in supervisor.supervise():
                    console.print(f"[yellow]{line}[/]", highlight=False)
            return 0
    except (BrokerError, LaunchError) as e:
        console.print(f"[red]error:[/] {e}", highlight=False)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _scaled(services: list[ServiceSpec], replicas: int, postgres_url: str | None, console: Console) -> list[ServiceSpec]:
    """The services on PostgreSQL stores when asked, each domain ``replicas`` times."""
    if replicas > 1 and postgres_url is None:
        # Instances of a domain share its store; only PostgreSQL's locks keep two relays from reordering a key.
        raise LaunchError("--replicas needs --postgres: the instances of a domain share one PostgreSQL store")
    if postgres_url is not None:
        stores = ensure_service_databases(postgres_url, [spec.name for spec in services])
        services = [replace(spec, database_url=stores[spec.name]) for spec in services]
        names = sorted(make_url(url).database or "" for url in stores.values())
        console.print(f"stores: a PostgreSQL database per service ({', '.join(names)})", highlight=False)
    return with_replicas(services, replicas)


def _wait_for_consistency(urls: dict[str, str], console: Console, timeout: float = 600.0) -> None:
    """After the demo load: wait until every event is published and consumed, showing the backlog and the time."""
    began = time.monotonic()
    with httpx.Client(timeout=5.0) as client, console.status("waiting for the subscriptions to catch up...") as status:
        progress = wait_for_catch_up(
            urls,
            http_pipeline_reader(client),
            timeout=timeout,
            on_progress=lambda progress: status.update(f"catching up: {progress.describe()}"),
        )
    took = time.monotonic() - began
    if progress.caught_up:
        console.print(f"[bold green]every product consistent[/] with its sources {took:.1f}s after the demo load")
    else:
        console.print(f"[red]not caught up after {took:.0f}s:[/] {progress.describe()}", highlight=False)


def _start_broker(
    run_dir: Path, console: Console, cleanup: ExitStack, brokers: int = 1
) -> tuple[str, LocalKafkaBroker | LocalKafkaCluster | None]:
    """The bootstrap servers, and the local broker or cluster started (None with ``KAFKA_BOOTSTRAP_SERVERS``)."""
    settings = BrokerSettings()
    if settings.kafka_bootstrap_servers:
        console.print(f"using the Kafka cluster at {settings.kafka_bootstrap_servers} (KAFKA_BOOTSTRAP_SERVERS)")
        return settings.kafka_bootstrap_servers, None
    distribution = KafkaDistribution(settings.kafka_version)
    with console.status("resolving Apache Kafka from Maven Central (first run only)...") as status:
        distribution.classpath(progress=lambda message: status.update(message))
    broker: LocalKafkaBroker | LocalKafkaCluster
    if brokers > 1:
        broker = LocalKafkaCluster(
            run_dir / "kafka",
            nodes=brokers,
            port=settings.kafka_port,
            controller_port=settings.kafka_controller_port,
            distribution=distribution,
            heap=settings.kafka_heap,
        )
        what = f"a {brokers}-node Kafka cluster (KRaft)"
    else:
        broker = LocalKafkaBroker(
            run_dir / "kafka",
            port=settings.kafka_port,
            controller_port=settings.kafka_controller_port,
            distribution=distribution,
            heap=settings.kafka_heap,
        )
        what = "the Kafka broker (KRaft)"
    with console.status(f"starting {what}..."):
        broker.start()
    cleanup.callback(broker.stop)
    console.print(f"[green]ready[/]    kafka on {broker.bootstrap_servers}")
    return broker.bootstrap_servers, broker


def _stop_services(supervisor: Supervisor, console: Console) -> None:
    if supervisor.processes:
        console.print("stopping services...")
        supervisor.stop_all()


def _credentials_environment(spec: ServiceSpec, clients: dict[str, dict[str, Any]], run_dir: Path) -> dict[str, str]:
    """Each service's own client id and secret; the catalog gets the file of clients to register."""
    if spec.name == CATALOG:
        return {"CATALOG_CLIENTS_FILE": str(run_dir / "clients.json"),
                "CATALOG_SERVICE_URLS": ",".join(f"{other.name}={other.url}" for other in discover_services())}
    client = clients[spec.name]
    return {"MESH_CLIENT_ID": client["client_id"], "MESH_CLIENT_SECRET": client["secret"]}


def _products_with_personal_data() -> set[tuple[str, str]]:
    """``(domain, product)`` of every product whose contract declares personal data."""
    try:
        return {(c.domain, c.product) for c in ContractRegistry.from_directory() if c.pii_fields}
    except Exception:  # no readable contracts here: the analyst asks for reads only
        return set()


def _registered_products(catalog_url: str, domains: list[str], timeout: float = 30.0) -> dict[str, Any]:
    """The catalog's products once every product major the domains' contracts declare is registered (services
    register in the background at start-up)."""
    try:
        expected = {(c.domain, c.product, c.major) for c in ContractRegistry.from_directory() if c.domain in domains}
    except Exception:  # no readable contracts here: settle for every domain having registered something
        expected = set()
    deadline = time.monotonic() + timeout
    while True:
        products: dict[str, Any] = httpx.get(
            f"{catalog_url}/api/v1/data-products", params={"limit": 1000}, timeout=10
        ).json()
        registered = {(p["domain"], p["product"], major) for p in products["items"] for major in p.get("majors", [])}
        complete = registered >= expected and {p["domain"] for p in products["items"]} >= set(domains)
        if complete or time.monotonic() > deadline:
            return products
        time.sleep(0.3)


def _grant_demo_access(catalog_url: str, run_dir: Path, domains: list[str], console: Console) -> None:
    """The demo reader asks for every product major, the analyst also for the fighters' personal data; each
    domain's declared reads were asked for at its start-up. The owners approve them all (audited as themselves)."""
    with console.status("granting demo access (access requests approved by their owners)..."):
        try:
            products = _registered_products(catalog_url, domains)
            personal = _products_with_personal_data()
            for client_id, pii in ((READER, False), (ANALYST, True)):
                auth = credentials_of(run_dir, client_id, catalog_url)
                for product in products["items"]:
                    for major in product.get("majors", []):
                        wants_pii = pii and (product["domain"], product["product"]) in personal
                        httpx.post(
                            f"{catalog_url}/api/v1/access-requests", auth=auth, timeout=10,
                            json={"domain": product["domain"], "product": product["product"], "major": major,
                                  "pii": wants_pii, "purpose": "explore the demo mesh"},
                        )
            approved: list[dict[str, Any]] = []
            quiet_rounds = 0
            deadline = time.monotonic() + 20
            # The services' own requests arrive from their start-up; approve until four rounds bring nothing new.
            while quiet_rounds < 4 and time.monotonic() < deadline:
                batch = approve_pending_requests(catalog_url, run_dir, reason=APPROVAL_REASON)
                approved += batch
                quiet_rounds = 0 if batch else quiet_rounds + 1
                time.sleep(0.5)
        except (httpx.HTTPError, KeyError, ValueError) as e:
            console.print(f"[yellow]could not grant demo access:[/] {e}")
            return
    console.print(f"[green]granted[/]  {len(approved)} access request(s), each approved by the product's owner")


def _keep_approving_services(catalog_url: str, run_dir: Path, services: set[str], approved: Callable[[], None]) -> None:
    """While the local mesh runs, the owners approve what the mesh's own services declare later (a restarted
    service, a product registered after its reader started); ``approved`` is told of each approval (the ACL
    reconciler applies it at once). People's requests wait for a decision."""
    while True:
        time.sleep(2.0)
        try:
            if approve_pending_requests(catalog_url, run_dir, reason=APPROVAL_REASON, requesters=services):
                approved()
        except Exception:  # the catalog is starting or restarting: ask again next round
            continue


def _print_summary(console: Console, urls: dict[str, str], bootstrap: str, run_dir: Path) -> None:
    table = Table(title="Octagon Mesh")
    table.add_column("service")
    table.add_column("url")
    for name, url in urls.items():
        table.add_row(name, url)
    table.add_row("kafka", bootstrap)
    console.print(table)
    console.print(f"logs and stores: {run_dir}")
    console.print(
        f"clients: {READER} (reads every product), {ANALYST} (also the fighters' personal data), {OPERATOR} "
        f"(commands, replay); secrets in {clients_path(run_dir)} (0600)", highlight=False, soft_wrap=True,
    )
    console.print('get a token: [bold]export MESH_TOKEN=$(mesh token demo-reader)[/]', highlight=False, soft_wrap=True)


def local_credentials(run_dir: Path, client_id: str) -> ClientCredentials:
    """The token source of ``client_id`` of the local mesh (tokens cached and renewed); a token is fetched now,
    so a wrong run directory or a stopped catalog is a :class:`LaunchError` here rather than later."""
    catalog = next((spec for spec in discover_services() if spec.name == CATALOG), None)
    catalog_url = os.environ.get("CATALOG_URL") or (catalog.url if catalog else "http://127.0.0.1:8000")
    try:
        credentials: ClientCredentials = credentials_of(run_dir.resolve(), client_id, catalog_url)
        credentials.token()
        return credentials
    except FileNotFoundError as e:
        raise LaunchError(f"no clients in {run_dir.resolve()}: start the mesh with mesh up (or set MESH_RUN_DIR)") from e
    except KeyError as e:
        raise LaunchError(str(e.args[0])) from e
    except TokenUnavailable as e:
        raise LaunchError(str(e)) from e


def fresh_token(run_dir: Path, client_id: str) -> str:
    """A new access token for ``client_id`` of the local mesh, from the catalog's token endpoint."""
    return local_credentials(run_dir, client_id).token()
