from pathlib import Path

from mesh_platform.kafka.server_config import log4j2_properties, render_properties, server_properties


def parse(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_single_node_broker_is_its_own_controller_on_the_given_ports():
    properties = server_properties("127.0.0.1", 19092, 19093, Path("/data/logs"))

    assert properties["process.roles"] == "broker,controller"
    assert properties["controller.quorum.voters"] == f"{properties['node.id']}@127.0.0.1:19093"
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert properties["advertised.listeners"].startswith("PLAINTEXT://127.0.0.1:19092")
    assert properties["controller.listener.names"] == "CONTROLLER"
    assert properties["log.dirs"] == "/data/logs"


def test_internal_topics_fit_on_one_broker():
    properties = server_properties("127.0.0.1", 9092, 9093, Path("/d"))

    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
    ):
        assert properties[key] == "1", key


def test_topics_keep_their_history_by_default():
    properties = server_properties("127.0.0.1", 9092, 9093, Path("/d"))

    assert properties["log.retention.ms"] == "-1"
    assert properties["log.retention.bytes"] == "-1"


def test_rendered_properties_read_back_as_written_with_backslashes_escaped():
    text = render_properties({"log.dirs": r"C:\kafka\data", "listeners": "PLAINTEXT://h:1"}, "written by a test")

    assert text.splitlines()[0] == "# written by a test"
    assert parse(text) == {"log.dirs": r"C:\\kafka\\data", "listeners": "PLAINTEXT://h:1"}


def test_log4j_configuration_writes_to_the_file_only(tmp_path):
    config = parse(log4j2_properties(tmp_path / "logs" / "server.log"))

    appenders = {key.split(".")[1] for key in config if key.startswith("appender.")}
    assert appenders == {"server"}
    assert config["appender.server.type"] == "RollingFile"
    assert config["appender.server.fileName"] == str(tmp_path / "logs" / "server.log")
    assert config["rootLogger.appenderRef.server.ref"] == "server"
