"""The event plane derived from the contracts: topics with their settings, dead-letter topics, principals, grants."""

import copy
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from mesh_platform.contracts import ContractRegistry, DataProductContract, default_contracts_dir
from mesh_platform.kafka.client import KafkaClientSettings, KafkaSettingsError, kafka_client_kwargs
from mesh_platform.kafka.event_plane import EventPlane, EventPlaneError, product_topic, read_subscriptions
from mesh_platform.kafka.topic_check import topic_problems
from mesh_platform.kafka.topic_state import TopicState
from mesh_tools.event_plane.acls import domain_acls, product_read_acls
from mesh_tools.event_plane.provisioning import differences

CONTRACTS = default_contracts_dir(Path(__file__))


@pytest.fixture(scope="module")
def plane() -> EventPlane:
    return EventPlane.from_contracts(CONTRACTS)


def fighters_document() -> dict:
    return yaml.safe_load((CONTRACTS / "roster" / "fighters.odcs.yaml").read_text())


def kafka_properties(document: dict) -> list[dict]:
    return next(s for s in document["servers"] if s["type"] == "kafka")["customProperties"]


def test_every_product_major_gets_its_topic_keeping_its_history(plane):
    products = {spec.name: spec for spec in plane.topics if spec.kind == "product"}
    assert set(products) == {contract.topic for contract in ContractRegistry.from_directory(CONTRACTS)}
    fighters = products["roster.fighters.v1"]
    assert (fighters.owner, fighters.partitions, fighters.replication_factor) == ("roster", 3, 3)
    assert fighters.config["retention.ms"] == "-1" and fighters.config["cleanup.policy"] == "delete"
    assert fighters.config["min.insync.replicas"] == "2"


def test_each_subscriber_gets_its_own_dead_letter_topic_and_no_one_else(plane):
    dead_letters = {spec.name: spec.owner for spec in plane.topics if spec.kind == "dead-letter"}
    assert dead_letters == {
        "roster.dlq": "roster", "schedule.dlq": "schedule", "results.dlq": "results", "stats.dlq": "stats"
    }


def test_reads_are_granted_exactly_for_the_declared_subscriptions(plane):
    grants = {(grant.principal, grant.topic) for grant in plane.grants}
    assert grants == {
        ("schedule", "roster.fighters.v1"),
        ("schedule", "results.bout-results.v1"),
        ("results", "schedule.bouts.v1"),
        ("stats", "roster.fighters.v1"),
        ("stats", "results.bout-results.v1"),
        ("roster", "stats.fighter-records.v1"),  # reverse ETL: roster shows stats' records and ranks as a replica
        ("roster", "stats.rankings.v1"),
    }
    assert all("declared subscription" in grant.reason for grant in plane.grants)


def test_a_domain_writes_only_its_own_topics_and_joins_only_its_own_group(plane):
    acls = domain_acls(plane, "stats")
    written = {acl.resource_pattern.resource_name for acl in acls if acl.operation.name == "WRITE"}
    read = {acl.resource_pattern.resource_name for acl in acls if acl.operation.name == "READ"}
    groups = {acl.resource_pattern.resource_name for acl in acls if acl.resource_pattern.resource_type.name == "GROUP"}
    assert written == {"stats.fighter-records.v1", "stats.rankings.v1", "stats.dlq"}
    # its declared subscriptions, its own consumer group, its own parked events (mesh dlq) and the catalog's
    # notifications — nothing else
    assert read == {"roster.fighters.v1", "results.bout-results.v1", "stats.dlq", "stats", "catalog.notifications.v1"}
    assert groups == {"stats"}
    assert all(acl.resource_pattern.pattern_type.name == "LITERAL" for acl in acls)
    assert all(acl.principal == "User:stats" and acl.permission_type.name == "ALLOW" for acl in acls)


def test_the_catalog_writes_its_notification_topic_and_every_domain_reads_it(plane):
    spec = plane.topic("catalog.notifications.v1")
    assert (spec.owner, spec.kind, spec.config["retention.ms"]) == ("catalog", "notifications", str(30 * 86400 * 1000))
    assert set(spec.readers) == {"roster", "schedule", "results", "stats"}
    written = {acl.resource_pattern.resource_name for acl in domain_acls(plane, "catalog")
               if acl.operation.name == "WRITE"}
    assert written == {"catalog.notifications.v1"}


def test_a_read_grant_opens_one_major_only():
    acls = product_read_acls("analytics", "roster", "fighters", 2)
    assert {acl.resource_pattern.resource_name for acl in acls} == {"roster.fighters.v2"}
    assert {acl.operation.name for acl in acls} == {"READ", "DESCRIBE", "DESCRIBE_CONFIGS"}


def test_personal_data_on_a_topic_without_withholding_it_is_refused():
    document = fighters_document()
    properties = kafka_properties(document)
    properties[:] = [p for p in properties if p["property"] != "withheldFields"]
    contract = DataProductContract.from_document(document, "fighters.odcs.yaml")

    with pytest.raises(EventPlaneError, match=r"personal data \['date_of_birth'\] would travel on roster.fighters.v1"):
        product_topic(contract)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"partitions": 0}, "partitions: must be a positive integer"),
        ({"config": {"retention.ms": 604800000}}, "keeps its history"),
        ({"config": {"unclean.leader.election.enable": True}}, "not managed"),
        ({"replicationFactor": 1, "config": {"min.insync.replicas": 2}}, "min.insync.replicas 2 > replicas 1"),
        ({"shards": 4}, "unknown keys"),
    ],
)
def test_a_topic_config_that_cannot_be_provisioned_is_refused_with_the_place(edit, message):
    document = fighters_document()
    topic_config = next(p for p in kafka_properties(document) if p["property"] == "topicConfig")
    value = copy.deepcopy(topic_config["value"])
    config = {**value.get("config", {}), **edit.pop("config", {})}
    topic_config["value"] = {**value, **edit, "config": config}
    contract = DataProductContract.from_document(document, "fighters.odcs.yaml")

    with pytest.raises(EventPlaneError, match=message) as refused:
        product_topic(contract)
    assert "customProperties[topicConfig]" in str(refused.value)


def test_a_subscription_to_an_unknown_product_major_is_refused(tmp_path):
    (tmp_path / "stats").mkdir()
    declaration = tmp_path / "stats" / "subscriptions.yaml"
    declaration.write_text("subscriber: stats\nsubscriptions:\n  - {product: roster.fighters, major: 9, purpose: x}\n")
    registry = ContractRegistry.from_directory(CONTRACTS)

    with pytest.raises(EventPlaneError, match="unknown product"):
        EventPlane.derive(registry, read_subscriptions(declaration))


def test_a_subscription_file_must_name_its_own_domain_and_say_why(tmp_path):
    (tmp_path / "stats").mkdir()
    declaration = tmp_path / "stats" / "subscriptions.yaml"
    declaration.write_text("subscriber: schedule\nsubscriptions: []\n")
    with pytest.raises(EventPlaneError, match="directory's domain 'stats'"):
        read_subscriptions(declaration)
    declaration.write_text("subscriber: stats\nsubscriptions:\n  - {product: roster.fighters, major: 1, purpose: ' '}\n")
    with pytest.raises(EventPlaneError, match="purpose"):
        read_subscriptions(declaration)


def test_drift_is_split_into_what_apply_can_set_back_and_what_it_cannot(plane):
    spec = plane.topic("roster.fighters.v1").for_cluster(1)
    drifted = TopicState(spec.name, 6, 1, {**spec.config, "retention.ms": "604800000"})

    fixable, unfixable = differences(spec, drifted)

    assert fixable == ["retention.ms: 604800000, expected -1"]
    assert len(unfixable) == 1 and unfixable[0].startswith("partitions: 6, contract says 3")


def test_a_single_broker_cluster_caps_replication_and_min_insync_replicas(plane):
    capped = plane.topic("roster.fighters.v1").for_cluster(1)
    assert (capped.replication_factor, capped.config["min.insync.replicas"]) == (1, "1")


def test_a_service_names_the_missing_or_ungranted_topic_and_the_fix(plane):
    spec = plane.topic("roster.fighters.v1")
    assert "does not exist" in topic_problems(spec, "missing")[0]
    assert "mesh topics apply" in topic_problems(spec, "missing")[0]
    assert "no ACL" in topic_problems(spec, "unauthorized")[0]
    assert topic_problems(spec, TopicState(spec.name, 3, 1, dict(spec.config))) == []
    assert topic_problems(spec, TopicState(spec.name, 3, 1, {**spec.config, "cleanup.policy": "compact"})) == [
        "roster.fighters.v1: cleanup.policy=compact, the contract says delete"
    ]


def test_clients_authenticate_with_scram_by_default(monkeypatch):
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_PASSWORD_FILE", "MESH_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = KafkaClientSettings(bootstrap_servers="kafka:9092", username="roster", password="s3cret-but-long-enough")

    assert kafka_client_kwargs(settings) == {
        "bootstrap_servers": "kafka:9092",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "roster",
        "sasl_plain_password": "s3cret-but-long-enough",
    }
    with pytest.raises(KafkaSettingsError, match="KAFKA_USERNAME and KAFKA_PASSWORD"):
        kafka_client_kwargs(KafkaClientSettings(bootstrap_servers="kafka:9092"))


def test_the_password_can_come_from_a_secret_file(monkeypatch, tmp_path):
    monkeypatch.delenv("KAFKA_PASSWORD", raising=False)
    secret = tmp_path / "kafka-password"
    secret.write_text("from-a-mounted-secret\n")
    monkeypatch.setenv("KAFKA_PASSWORD_FILE", str(secret))

    settings = KafkaClientSettings(username="stats")

    assert kafka_client_kwargs(settings)["sasl_plain_password"] == "from-a-mounted-secret"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"KAFKA_USERNAME": "roster"}, "KAFKA_PASSWORD"),
        ({"KAFKA_USERNAME": "roster", "KAFKA_PASSWORD": "admin-secret"}, "default or weak"),
        ({"KAFKA_USERNAME": "roster", "KAFKA_PASSWORD": "short"}, "default or weak"),
        ({"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}, "sends no credentials"),
    ],
)
def test_production_refuses_unauthenticated_empty_or_default_kafka_credentials(monkeypatch, variables, message):
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MESH_ENV", "prod")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match=message):
        KafkaClientSettings()
