"""Which services make up the mesh, on which ports, with which environment.

Services are discovered through the ``octagon_mesh.services`` entry-point group, so a domain scaffolded with
``mesh new-domain`` and installed joins ``mesh up`` without touching the platform.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

ENTRY_POINT_GROUP = "octagon_mesh.services"
DEFAULT_PORTS = {"catalog": 8000, "roster": 8001, "schedule": 8002, "results": 8003, "stats": 8004}
START_ORDER = ["catalog", "roster", "schedule", "results", "stats"]
FIRST_EXTRA_PORT = 8005
REPLICA_PORT_STEP = 100  # instance n of a service listens on its port + 100·(n-1): roster-2 on 8101
SINGLE_INSTANCE = frozenset({"catalog"})  # one catalog per mesh: it holds the lineage graph in memory


@dataclass(frozen=True)
class ServiceSpec:
    """One service process of the mesh."""

    name: str
    factory: str
    host: str
    port: int
    database_url: str | None
    instance: int = 1

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def process_name(self) -> str:
        """``roster`` for the first instance, ``roster-2`` for the second: names its log and its status line."""
        return self.name if self.instance == 1 else f"{self.name}-{self.instance}"

    @property
    def port_variable(self) -> str:
        """The environment variable that moves this service to another port."""
        return f"{env_name(self.name)}_PORT"


def env_name(service: str) -> str:
    """``new-domain`` → ``NEW_DOMAIN`` (for ``<NAME>_PORT``, ``<NAME>_URL``, ``<NAME>_DATABASE_URL``)."""
    return service.upper().replace("-", "_")


def discover_services(environ: dict[str, str] | None = None) -> list[ServiceSpec]:
    """Every installed service, in start order, with its port and store from the environment."""
    environ = dict(os.environ if environ is None else environ)
    host = environ.get("MESH_HOST", "127.0.0.1")
    found = {entry.name: entry.value for entry in entry_points(group=ENTRY_POINT_GROUP)}
    if environ.get("MESH_SERVICES"):  # run a subset, e.g. MESH_SERVICES=catalog,roster
        wanted = {name.strip() for name in environ["MESH_SERVICES"].split(",")}
        found = {name: factory for name, factory in found.items() if name in wanted}
    names = [name for name in START_ORDER if name in found] + sorted(set(found) - set(START_ORDER))
    specs: list[ServiceSpec] = []
    next_port = FIRST_EXTRA_PORT
    for name in names:
        default_port = DEFAULT_PORTS.get(name)
        if default_port is None:
            default_port, next_port = next_port, next_port + 1
        port = int(environ.get(f"{env_name(name)}_PORT", default_port))
        specs.append(ServiceSpec(name, found[name], host, port, environ.get(f"{env_name(name)}_DATABASE_URL")))
    return specs


def with_replicas(specs: list[ServiceSpec], replicas: int, step: int = REPLICA_PORT_STEP) -> list[ServiceSpec]:
    """Every domain service ``replicas`` times (instance n on its port + ``step``·(n-1)); the catalog once.

    Instances of one domain share its store and consumer group: the group splits the topics' partitions between
    them, and one outbox relay publishes at a time (PostgreSQL's advisory lock) while the other stands by.
    """
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, not {replicas}")
    expanded: list[ServiceSpec] = []
    for spec in specs:
        count = 1 if spec.name in SINGLE_INSTANCE else replicas
        expanded += [replace(spec, instance=n, port=spec.port + step * (n - 1)) for n in range(1, count + 1)]
    return expanded


def service_environment(
    spec: ServiceSpec, all_services: list[ServiceSpec], run_dir: Path, bootstrap_servers: str, base: dict[str, str]
) -> dict[str, str]:
    """The environment of one service process: its own store and port, everyone else's URL."""
    environ = {name: value for name, value in base.items() if name != "DATABASE_URL"}
    environ.update(
        {
            "MESH_SERVICE_NAME": spec.name,
            "HOST": spec.host,
            "PORT": str(spec.port),
            "MESH_RUN_DIR": str(run_dir),
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
        }
    )
    for other in all_services:
        if other.instance == 1:  # other domains reach a service at its first instance
            environ[f"{env_name(other.name)}_URL"] = other.url
        # A service sees only its own store's credentials.
        environ.pop(f"{env_name(other.name)}_DATABASE_URL", None)
    if spec.database_url:
        environ["DATABASE_URL"] = spec.database_url
    return environ
