"""Topics are provisioned from the contracts and never auto-created, against the session's real (SASL, ACL) broker."""

import io
import threading
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaTimeoutError
from rich.console import Console

from mesh_platform.contracts import ContractRegistry, default_contracts_dir
from mesh_platform.events import EventFactory
from mesh_platform.events.envelope import kafka_headers, to_kafka_message
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.kafka.event_plane import KEEP_HISTORY, EventPlane, TopicSpec
from mesh_platform.kafka.topic_check import TopicsNotReady, service_topics, verify_topics
from mesh_platform.subscriptions import Subscription
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher, dead_letter_topic
from mesh_tools.cli.topics_command import run_topics_apply, run_topics_list
from mesh_tools.event_plane.provisioning import EventPlaneProvisioner

from ..conftest import Store

pytestmark = pytest.mark.integration

CONTRACTS = default_contracts_dir(Path(__file__))


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def plane_of(*specs: TopicSpec) -> EventPlane:
    return EventPlane(topics=list(specs), principals=[], consumer_groups={})


def spec(name: str, partitions: int = 3) -> TopicSpec:
    return TopicSpec(name, partitions, 1, {**KEEP_HISTORY, "min.insync.replicas": "1"}, "test", "product")


def topic_config(admin_settings, topic: str) -> dict[str, str]:
    with KafkaAdminClient(**kafka_client_kwargs(admin_settings)) as admin:
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="all")
    return {key: entry["value"] for key, entry in configs["topic"][topic].items()}


def partitions_of(admin_settings, topic: str) -> int:
    with KafkaAdminClient(**kafka_client_kwargs(admin_settings)) as admin:
        [described] = admin.describe_topics([topic])
    return len(described["partitions"])


def test_every_contract_topic_and_dead_letter_topic_exists_as_the_contracts_declare(kafka_event_plane):
    admin = kafka_event_plane.admin
    for topic in ("roster.fighters.v1", "results.bout-results.v1", "stats.rankings.v1"):
        assert partitions_of(admin, topic) == 3
        config = topic_config(admin, topic)
        assert (config["retention.ms"], config["retention.bytes"], config["cleanup.policy"]) == ("-1", "-1", "delete")
    assert partitions_of(admin, "schedule.dlq") == 1
    assert topic_config(admin, "schedule.dlq")["retention.ms"] == "-1"


def test_apply_creates_a_missing_topic_then_finds_it_as_declared(kafka_event_plane):
    plane = plane_of(spec(unique("prov.created.")))
    provisioner = EventPlaneProvisioner(kafka_event_plane.admin, production=False)

    first = provisioner.apply(plane)
    second = provisioner.apply(plane)

    assert [finding.status for finding in first.topics] == ["created"]
    assert [finding.status for finding in second.topics] == ["ok"]


def test_drifted_config_is_reported_and_set_back(kafka_event_plane):
    name = unique("prov.drift.")
    provisioner = EventPlaneProvisioner(kafka_event_plane.admin, production=False)
    provisioner.apply(plane_of(spec(name)))
    with KafkaAdminClient(**kafka_client_kwargs(kafka_event_plane.admin)) as admin:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, configs={"retention.ms": "3600000"})])

    listed = provisioner.apply(plane_of(spec(name)), dry_run=True)
    applied = provisioner.apply(plane_of(spec(name)))

    assert listed.topics[0].status == "mismatch" and not listed.ok
    assert listed.topics[0].details == ("retention.ms: 3600000, expected -1",)
    assert applied.topics[0].status == "fixed" and applied.ok
    assert topic_config(kafka_event_plane.admin, name)["retention.ms"] == "-1"


def test_a_partition_count_apply_cannot_fix_is_a_failed_apply_that_changes_nothing(kafka_event_plane):
    name = unique("prov.partitions.")
    provisioner = EventPlaneProvisioner(kafka_event_plane.admin, production=False)
    provisioner.apply(plane_of(spec(name, partitions=1)))

    report = provisioner.apply(plane_of(spec(name, partitions=3)))

    assert not report.ok
    assert report.topics[0].status == "mismatch"
    assert "partitions: 1, contract says 3" in report.topics[0].details[0]
    assert partitions_of(kafka_event_plane.admin, name) == 1


def test_mesh_topics_list_and_apply_exit_1_on_a_mismatch_and_0_when_the_cluster_matches(
    kafka_event_plane, kafka_bootstrap, monkeypatch, tmp_path
):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)  # an existing cluster: its super user from env
    contracts = tmp_path / "contracts"
    for source in CONTRACTS.glob("*/*.yaml"):
        (contracts / source.parent.name).mkdir(parents=True, exist_ok=True)
        (contracts / source.parent.name / source.name).write_text(source.read_text())
    output = io.StringIO()
    console = Console(file=output, width=400)

    assert run_topics_list(tmp_path, console, CONTRACTS) == 0
    fighters = contracts / "roster" / "fighters.odcs.yaml"
    fighters.write_text(fighters.read_text().replace("          partitions: 3\n", "          partitions: 6\n"))
    assert run_topics_apply(tmp_path, console, contracts) == 1

    assert "partitions: 3, contract says 6" in output.getvalue()
    assert "roster.fighters.v1" in output.getvalue()
    assert partitions_of(kafka_event_plane.admin, "roster.fighters.v1") == 3


def test_a_domain_checks_its_own_and_granted_topics_with_its_own_principal(kafka_event_plane):
    registry = ContractRegistry.from_directory(CONTRACTS)
    specs = service_topics(
        "stats", registry, produces=True, subscribed=["roster.fighters.v1", "results.bout-results.v1"], group="stats"
    )

    verify_topics(kafka_event_plane.principal("stats"), specs, timeout=5)  # returns: every topic usable

    assert {s.name for s in specs} == {
        "stats.fighter-records.v1", "stats.rankings.v1", "roster.fighters.v1", "results.bout-results.v1", "stats.dlq"
    }


def test_a_missing_topic_refuses_start_after_a_bounded_wait_naming_the_topic(kafka_event_plane):
    missing = spec(unique("prov.missing."))
    began = time.monotonic()

    with pytest.raises(TopicsNotReady) as refused:
        verify_topics(kafka_event_plane.admin, [missing], timeout=2, poll_interval=0.5)

    assert time.monotonic() - began >= 2
    assert f"{missing.name}: does not exist" in str(refused.value)
    assert "mesh topics apply" in str(refused.value)


def test_a_topic_without_a_grant_refuses_start(kafka_event_plane):
    registry = ContractRegistry.from_directory(CONTRACTS)
    # results declares no subscription to roster's fighters: its principal has no ACL on the topic.
    specs = service_topics("results", registry, produces=False, subscribed=["roster.fighters.v1"], group=None)

    with pytest.raises(TopicsNotReady, match="roster.fighters.v1: this principal has no ACL on it"):
        verify_topics(kafka_event_plane.principal("results"), specs, timeout=1, poll_interval=0.5)


def test_start_up_waits_for_provisioning_in_progress(kafka_event_plane):
    late = spec(unique("prov.late."))
    outcome: list[BaseException | None] = []

    def start() -> None:
        try:
            verify_topics(kafka_event_plane.admin, [late], timeout=30, poll_interval=0.5)
            outcome.append(None)
        except BaseException as e:  # reported below
            outcome.append(e)

    starting = threading.Thread(target=start)
    starting.start()
    time.sleep(2)
    EventPlaneProvisioner(kafka_event_plane.admin, production=False).apply(plane_of(late))
    starting.join(40)

    assert outcome == [None]


def test_a_subscriber_sees_a_topic_created_after_it_started_within_seconds(kafka_event_plane, kafka_bootstrap, tmp_path):
    domain = unique("late")
    topic, group = f"{domain}.things.v1", f"{domain}-subscriber"
    events = EventFactory(domain, "http://127.0.0.1:8000")
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    handled: list[float] = []
    kafka_event_plane.create_topics(dead_letter_topic(group), partitions=1)
    subscription = Subscription(
        engine=store.engine, tables=store.tables, group_id=group, topics=[topic],
        handlers={f"octagon.{domain}.thing.changed.v1": lambda session, message: handled.append(time.monotonic())},
        bootstrap_servers=kafka_bootstrap, dead_letters=DeadLetterPublisher(kafka_bootstrap),
    )
    subscription.start()
    try:
        time.sleep(3)  # the consumer is up, subscribed to a topic that does not exist yet
        kafka_event_plane.create_topics(topic)
        message = to_kafka_message(events.create(product="things", major=1, entity="thing", verb="changed", key="k",
                                                 data={}))
        producer = KafkaProducer(**kafka_client_kwargs(kafka_bootstrap))
        producer.send(topic, value=message.value, key=b"k", headers=kafka_headers(message)).get(10)
        producer.close()
        produced = time.monotonic()
        deadline = produced + 30
        while not handled and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        subscription.stop()
        store.engine.dispose()

    assert handled, "the subscriber never saw the topic created after it started"
    # Seconds, not the five minutes of kafka-python's default metadata refresh.
    assert handled[0] - produced < 15


def test_the_broker_never_creates_a_topic_for_a_typo(kafka_event_plane):
    typo = "roster.figthers.v1"
    producer = KafkaProducer(**kafka_client_kwargs(kafka_event_plane.admin), max_block_ms=3000)
    try:
        with pytest.raises(KafkaTimeoutError):
            producer.send(typo, value=b"{}").get(5)
    finally:
        producer.close(timeout=2)

    with KafkaAdminClient(**kafka_client_kwargs(kafka_event_plane.admin)) as admin:
        assert typo not in admin.list_topics()
