"""A three-node KRaft cluster on this machine: topics provisioned from the contracts with three replicas of which two
must acknowledge, and one node crashed and restarted without losing an acknowledged record."""

from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from mesh_platform.contracts import default_contracts_dir
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.kafka.event_plane import EventPlane
from mesh_platform.kafka.topic_state import describe_topics
from mesh_tools.broker.cluster import LocalKafkaCluster
from mesh_tools.broker.topics import ensure_topics
from mesh_tools.event_plane.provisioning import EventPlaneProvisioner
from mesh_tools.testing.kafka import consume
from mesh_tools.testing.ports import free_port

pytestmark = pytest.mark.integration


def distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    ports = distinct_free_ports(6)
    cluster = LocalKafkaCluster(tmp_path_factory.mktemp("cluster"), nodes=3, ports=list(zip(ports[::2], ports[1::2], strict=True)))
    with cluster:
        yield cluster


def produce(cluster: LocalKafkaCluster, topic: str, values: list[bytes]) -> None:
    producer = KafkaProducer(**kafka_client_kwargs(cluster.admin_settings), acks="all")
    try:
        for future in [producer.send(topic, key=value, value=value) for value in values]:
            future.get(timeout=60)
    finally:
        producer.close()


def in_sync_replicas_once_caught_up(cluster: LocalKafkaCluster, topic: str, timeout: float = 60.0) -> set[int]:
    """The sizes of the partitions' in-sync replica sets, once all are 3 (or as they are at the timeout)."""
    deadline = time.monotonic() + timeout
    with KafkaAdminClient(**kafka_client_kwargs(cluster.admin_settings)) as admin:
        while True:
            [described] = admin.describe_topics([topic])
            sizes = {len(partition["isr_nodes"]) for partition in described["partitions"]}
            if sizes == {3} or time.monotonic() > deadline:
                return sizes
            time.sleep(0.5)


def test_three_nodes_share_one_cluster_id_and_every_node_is_a_voter(cluster):
    with KafkaAdminClient(**kafka_client_kwargs(cluster.admin_settings)) as admin:
        described = admin.describe_cluster()
    assert sorted(broker["broker_id"] for broker in described["brokers"]) == [1, 2, 3]
    assert described["cluster_id"] == cluster.cluster_id
    for node in cluster.nodes:
        config = (node.data_dir / "server.properties").read_text()
        assert f"node.id={node.node_id}\n" in config
        assert config.count("@127.0.0.1:") == 3  # the static voter set names every controller


def test_provisioning_creates_the_contract_topics_with_three_replicas_of_which_two_must_acknowledge(cluster):
    plane = EventPlane.from_contracts(default_contracts_dir())

    report = EventPlaneProvisioner(cluster.admin_settings).apply(plane)

    assert report.ok and report.notes == []  # nothing capped: the cluster holds what the contracts declare
    with KafkaAdminClient(**kafka_client_kwargs(cluster.admin_settings)) as admin:
        states = describe_topics(admin, [spec.name for spec in plane.topics])
    assert {name: (state.replication_factor, state.config["min.insync.replicas"]) for name, state in states.items()} \
        == {spec.name: (3, "2") for spec in plane.topics}


def test_a_crashed_node_loses_no_acknowledged_record_and_catches_up_after_its_restart(cluster):
    topic = f"test.cluster.{uuid.uuid4().hex[:10]}.v1"
    ensure_topics(cluster.admin_settings, [topic], partitions=3)  # the cluster's default: three replicas
    with KafkaAdminClient(**kafka_client_kwargs(cluster.admin_settings)) as admin:
        [state] = describe_topics(admin, [topic]).values()
    assert (state.replication_factor, state.config["min.insync.replicas"]) == (3, "2")
    produce(cluster, topic, [f"before-{n}".encode() for n in range(50)])

    cluster.kill(2)
    assert not cluster.node(2).is_running()
    produce(cluster, topic, [f"during-{n}".encode() for n in range(50)])  # two of three in sync: acks=all holds
    cluster.restart(2)

    assert in_sync_replicas_once_caught_up(cluster, topic) == {3}
    records = consume(cluster.admin_settings, topic, expected=100)
    assert sorted(record.value for record in records) == sorted(
        [f"before-{n}".encode() for n in range(50)] + [f"during-{n}".encode() for n in range(50)]
    )
    assert cluster.is_running()


def test_a_node_that_dies_under_mesh_up_is_restarted_on_its_data_and_rejoins_the_in_sync_replicas(cluster):
    import os
    import signal

    from mesh_tools.launcher.broker_supervisor import BrokerSupervisor

    topic = f"test.cluster.{uuid.uuid4().hex[:10]}.v1"
    ensure_topics(cluster.admin_settings, [topic], partitions=3)
    supervisor = BrokerSupervisor(cluster, min_backoff=0.5)
    node = cluster.node(3)
    os.killpg(int(node.pid_file.read_text()), signal.SIGKILL)  # from outside, as a crash or the OOM killer would
    happened: list[str] = []
    deadline = time.monotonic() + 30
    while not any("restarted" in line for line in happened) and time.monotonic() < deadline:
        happened += supervisor.supervise()
        time.sleep(0.1)
    assert any(line.startswith("kafka-3 (") and "stopped unexpectedly (exit code -9)" in line for line in happened)
    assert "kafka-3 restarted on its data (restart #1)" in happened
    node.wait_ready()
    produce(cluster, topic, [f"after-{n}".encode() for n in range(20)])
    assert in_sync_replicas_once_caught_up(cluster, topic) == {3}
    assert {name: entry["restarts"] for name, entry in supervisor.state().items()} == {
        "kafka-1": 0, "kafka-2": 0, "kafka-3": 1}
