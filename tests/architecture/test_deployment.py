"""The distributed deployment keeps every service's store to itself."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["catalog", "roster", "schedule", "results", "stats"]
DOMAINS = ["roster", "schedule", "results", "stats"]
SECRETS = {
    "CATALOG_SIGNING_KEY_FILE": "/run/keys/catalog.pem",
    "CATALOG_CLIENTS_FILE": "/run/keys/clients.json",
    **{f"{name.upper()}_CLIENT_SECRET": f"{name}-client-secret-{index}-0123456789abcdef" for index, name in enumerate(SERVICES)},
    "POSTGRES_PASSWORD": "admin-pw",
    **{f"{name.upper()}_DB_PASSWORD": f"{name}-pw-{index}" for index, name in enumerate(SERVICES)},
    **{f"{name.upper()}_CURSOR_SECRET": f"{name}-cursor-secret-{index}-0123456789abcdef" for index, name in enumerate(SERVICES)},
    "KAFKA_ADMIN_PASSWORD": "kafka-admin-pw-0123456789",
    "EVENT_PLANE_CLIENT_SECRET": "event-plane-client-secret-0123456789abcdef",
    "KAFKA_CONTROLLER_PASSWORD": "kafka-controller-pw-0123456789",
    **{f"KAFKA_{name.upper()}_PASSWORD": f"kafka-{name}-pw-{index}-0123456789" for index, name in enumerate(DOMAINS)},
}


def compose_command() -> list[str]:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True) if shutil.which("docker") else None
    if probe is not None and probe.returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor `docker-compose` is installed (scripts/bootstrap.sh installs it)")


@pytest.fixture(scope="module")
def compose() -> dict:
    result = subprocess.run(
        [*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True, text=True, env={**os.environ, **SECRETS}, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


KAFKA_NODES = ["kafka-1", "kafka-2", "kafka-3"]


def test_compose_file_runs_the_broker_the_database_and_every_service(compose):
    assert set(compose["services"]) == {*KAFKA_NODES, "event-plane", "acl-sync", "postgres", *SERVICES}
    for node in KAFKA_NODES:
        assert compose["services"][node]["image"].startswith("apache/kafka:4")


def rendered_node_config(node_environment: dict, tmp_path: Path) -> dict[str, str]:
    """The server.properties start-kafka.sh writes for a node with this environment."""
    environment = {**os.environ, **{key: str(value) for key, value in node_environment.items()},
                   "KAFKA_RENDER_ONLY": "1", "KAFKA_CONFIG_DIR": str(tmp_path)}
    result = subprocess.run(["bash", str(ROOT / "deploy/kafka/start-kafka.sh")], env=environment,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "server.properties").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize("node_id", [1, 2, 3])
def test_compose_runs_a_three_node_kraft_cluster_configured_as_mesh_up_brokers_3(compose, node_id, tmp_path):
    from mesh_tools.broker.server_config import cluster_properties, server_properties

    nodes = [compose["services"][name] for name in KAFKA_NODES]
    assert len({node["environment"]["KAFKA_CLUSTER_ID"] for node in nodes}) == 1  # formatted as one cluster
    assert len({volume for node in nodes for volume in node["volumes"] if "/var/lib/kafka/data" in str(volume)}) == 3
    voters = "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"
    config = rendered_node_config(compose["services"][f"kafka-{node_id}"]["environment"], tmp_path)
    local = server_properties(f"kafka-{node_id}", 9092, 9093, Path("/d"), admin_password=SECRETS["KAFKA_ADMIN_PASSWORD"],
                              controller_password="p", node_id=node_id, quorum_voters=voters, cluster_size=3)
    for key in ("node.id", "controller.quorum.voters", *cluster_properties(3)):
        assert config[key] == local[key], key
    assert config["advertised.listeners"] == f"CLIENT://kafka-{node_id}:9092"
    assert (config["default.replication.factor"], config["min.insync.replicas"]) == ("3", "2")


def test_provisioning_creates_the_contracts_topic_settings_on_the_cluster_uncapped(compose):
    from mesh_platform.contracts import default_contracts_dir
    from mesh_platform.kafka.event_plane import EventPlane

    provisioner = compose["services"]["event-plane"]["environment"]
    assert "KAFKA_MAX_REPLICATION_FACTOR" not in provisioner  # production refuses fewer replicas than declared
    cluster = ",".join(f"{node}:9092" for node in KAFKA_NODES)
    assert provisioner["KAFKA_BOOTSTRAP_SERVERS"] == cluster
    for service in SERVICES:
        assert compose["services"][service]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == cluster
    plane = EventPlane.from_contracts(default_contracts_dir())
    assert all(spec.for_cluster(len(KAFKA_NODES)) == spec for spec in plane.topics)
    assert {(spec.replication_factor, spec.config["min.insync.replicas"]) for spec in plane.topics} == {(3, "2")}


def test_compose_broker_is_secured_like_the_local_broker():
    from mesh_tools.broker.server_config import server_properties

    script = (ROOT / "deploy/kafka/start-kafka.sh").read_text()
    local = server_properties("kafka", 9092, 9093, Path("/d"), admin_password="p", controller_password="p")
    for key in ("process.roles", "listener.security.protocol.map", "sasl.enabled.mechanisms",
                "sasl.mechanism.inter.broker.protocol", "sasl.mechanism.controller.protocol", "authorizer.class.name",
                "allow.everyone.if.no.acl.found", "super.users", "auto.create.topics.enable"):
        assert f"\n{key}={local[key]}\n" in script, key
    assert "--add-scram" in script


@pytest.mark.parametrize("domain", DOMAINS)
def test_domains_start_after_provisioning_each_as_its_own_kafka_principal(compose, domain):
    service = compose["services"][domain]
    assert service["depends_on"]["event-plane"]["condition"] == "service_completed_successfully"
    assert service["environment"]["KAFKA_USERNAME"] == domain
    assert service["environment"]["KAFKA_PASSWORD"] == SECRETS[f"KAFKA_{domain.upper()}_PASSWORD"]
    environment = json.dumps(service["environment"])
    for secret in ("KAFKA_ADMIN_PASSWORD", *(f"KAFKA_{other.upper()}_PASSWORD" for other in DOMAINS if other != domain)):
        assert SECRETS[secret] not in environment, secret


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_built_from_its_own_dockerfile(compose, service):
    dockerfile = compose["services"][service]["build"]["dockerfile"]
    assert dockerfile in (f"domains/{service}/Dockerfile", f"{service}/Dockerfile")
    assert (ROOT / dockerfile).exists()


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_gets_its_own_database_and_role(compose, service):
    url = urlparse(compose["services"][service]["environment"]["DATABASE_URL"])
    assert url.username == service
    assert url.path == f"/{service}"
    assert url.password == SECRETS[f"{service.upper()}_DB_PASSWORD"]


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_can_see_another_services_credentials(compose, service):
    environment = json.dumps(compose["services"][service]["environment"])
    for other in SERVICES:
        if other != service:
            assert SECRETS[f"{other.upper()}_DB_PASSWORD"] not in environment
            assert f"postgresql://{other}:" not in environment
    assert SECRETS["POSTGRES_PASSWORD"] not in environment


def test_database_init_script_gives_each_role_only_its_own_database():
    script = (ROOT / "deploy/postgres/init.sh").read_text()
    assert "REVOKE CONNECT ON DATABASE ${service} FROM PUBLIC" in script
    assert "for service in " + " ".join(SERVICES) in script


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_signs_cursors_with_its_own_secret(compose, service):
    environment = compose["services"][service]["environment"]
    assert environment["MESH_CURSOR_SECRET"] == SECRETS[f"{service.upper()}_CURSOR_SECRET"]
    for other in SERVICES:
        if other != service:
            assert SECRETS[f"{other.upper()}_CURSOR_SECRET"] not in json.dumps(environment)


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_has_its_own_client_secret_and_no_signing_key(compose, domain):
    environment = compose["services"][domain]["environment"]
    assert environment["MESH_CLIENT_ID"] == domain
    assert environment["MESH_CLIENT_SECRET"] == SECRETS[f"{domain.upper()}_CLIENT_SECRET"]
    rendered = json.dumps(compose["services"][domain])
    assert "catalog_signing_key" not in rendered and "MESH_TOKEN_SECRET" not in rendered
    for other in DOMAINS:
        if other != domain:
            assert SECRETS[f"{other.upper()}_CLIENT_SECRET"] not in rendered


def test_only_the_catalog_holds_the_signing_key_and_it_probes_only_configured_urls(compose):
    catalog = compose["services"]["catalog"]
    assert catalog["environment"]["CATALOG_SIGNING_KEY_FILE"] == "/run/secrets/catalog_signing_key"
    assert {secret["source"] for secret in catalog["secrets"]} == {"catalog_signing_key", "catalog_clients"}
    assert "roster=http://roster:8001" in catalog["environment"]["CATALOG_SERVICE_URLS"]


def test_read_acls_follow_the_catalogs_grants_by_a_reconciler_that_alone_holds_the_kafka_super_user(compose):
    sync = compose["services"]["acl-sync"]
    assert sync["command"][:4] == ["mesh", "acls", "sync", "--watch"]
    assert sync["depends_on"]["event-plane"]["condition"] == "service_completed_successfully"
    environment = sync["environment"]
    assert environment["KAFKA_USERNAME"] == "admin"
    assert environment["MESH_CLIENT_ID"] == "event-plane"  # its own catalog client (admin:catalog), no domain's
    assert environment["MESH_CLIENT_SECRET"] == SECRETS["EVENT_PLANE_CLIENT_SECRET"]
    for service in SERVICES:  # the catalog and the domains never see the super user's password
        assert SECRETS["KAFKA_ADMIN_PASSWORD"] not in json.dumps(compose["services"][service]["environment"])
