import uuid

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_tools.broker.broker import LocalKafkaBroker
from mesh_tools.broker.errors import BrokerError
from mesh_tools.broker.topics import ensure_topics
from mesh_tools.testing.kafka import consume, provision_test_topics
from mesh_tools.testing.ports import free_port

pytestmark = pytest.mark.integration


def produce(bootstrap: str, topic: str, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> None:
    producer = KafkaProducer(**kafka_client_kwargs(bootstrap))
    try:
        producer.send(topic, key=key, value=value, headers=headers).get(timeout=30)
    finally:
        producer.close()


def topic_name() -> str:
    return f"test.broker.{uuid.uuid4().hex[:10]}.v1"


def test_record_with_headers_round_trips_through_the_broker(kafka_bootstrap):
    topic = topic_name()
    headers = [("ce_id", b"event-1"), ("content-type", b"application/json")]

    provision_test_topics(kafka_bootstrap, topic)
    produce(kafka_bootstrap, topic, b"fighter-1", b'{"name": "A"}', headers)
    [record] = consume(kafka_bootstrap, topic, expected=1)

    assert (record.key, record.value) == (b"fighter-1", b'{"name": "A"}')
    assert list(record.headers) == headers


def test_ensure_topics_creates_missing_topics_that_keep_their_history_once(kafka_bootstrap):
    existing, new = topic_name(), topic_name()
    assert ensure_topics(kafka_bootstrap, [existing], partitions=1) == [existing]

    assert ensure_topics(kafka_bootstrap, [existing, new]) == [new]
    assert ensure_topics(kafka_bootstrap, [existing, new]) == []

    with KafkaAdminClient(**kafka_client_kwargs(kafka_bootstrap)) as admin:
        partitions = {t["name"]: len(t["partitions"]) for t in admin.describe_topics([existing, new])}
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, new)])["topic"][new]
    assert partitions == {existing: 1, new: 3}
    assert (configs["retention.ms"]["value"], configs["retention.bytes"]["value"]) == ("-1", "-1")


def test_second_broker_on_a_taken_port_fails_with_one_line_and_leaves_the_first_running(kafka_bootstrap, tmp_path):
    host, _, port = kafka_bootstrap.partition(",")[0].rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        pytest.skip(f"the session's broker {kafka_bootstrap} is not on this machine's loopback")
    second = LocalKafkaBroker(tmp_path, port=int(port), controller_port=free_port())

    with pytest.raises(BrokerError) as refused:
        second.start()

    assert str(refused.value) == (
        f"Port {port} on 127.0.0.1 is already in use (another Kafka broker?): stop that process or "
        "choose another port with KAFKA_PORT=<port>."
    )
    assert not second.is_running()
    with KafkaAdminClient(**kafka_client_kwargs(kafka_bootstrap)) as admin:
        admin.list_topics()


def test_broker_restarted_on_the_same_data_dir_keeps_its_records(tmp_path):
    topic = topic_name()
    broker = LocalKafkaBroker(tmp_path / "kafka", port=free_port(), controller_port=free_port())
    with broker:
        ensure_topics(broker.admin_settings, [topic])
        produce(broker.admin_settings, topic, b"k", b"kept", [("ce_id", b"e-1")])
    assert not broker.is_running()

    with broker:
        records = consume(broker.admin_settings, topic, expected=1)

    assert [(r.key, r.value, list(r.headers)) for r in records] == [(b"k", b"kept", [("ce_id", b"e-1")])]
    assert not broker.is_running()


LAUNCHER = """
import sys, time
from pathlib import Path
from mesh_tools.broker.broker import LocalKafkaBroker
broker = LocalKafkaBroker(Path(sys.argv[1]), port=int(sys.argv[2]), controller_port=int(sys.argv[3]))
broker.start()
print("ready", flush=True)
time.sleep(600)
"""


def test_a_broker_left_running_by_a_killed_owner_is_stopped_by_the_next_start_on_its_data(tmp_path):
    import signal
    import subprocess
    import sys

    from mesh_tools.child_processes import command_line

    data_dir, port, controller_port = tmp_path / "kafka", free_port(), free_port()
    owner = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(data_dir), str(port), str(controller_port)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout.readline().strip() == "ready"
        leftover = int((data_dir / "kafka.pid").read_text())
        owner.send_signal(signal.SIGKILL)  # as a kill -9 of mesh up: its JVM is told to stop, and takes a while
        owner.wait()
    finally:
        owner.kill()
    broker = LocalKafkaBroker(data_dir, port=port, controller_port=controller_port)
    with broker:
        assert command_line(leftover) is None
        assert int(broker.pid_file.read_text()) != leftover
        with KafkaAdminClient(**kafka_client_kwargs(broker.admin_settings)) as admin:
            admin.list_topics()

    with pytest.raises(BrokerError, match="runs the Kafka broker"), broker:  # one manager per data directory
        LocalKafkaBroker(data_dir, port=free_port(), controller_port=free_port()).start()
