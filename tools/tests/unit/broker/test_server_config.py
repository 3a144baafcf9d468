from pathlib import Path

import pytest

from mesh_tools.broker.server_config import log4j2_properties, render_properties, server_properties


def parse(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def properties_of(port: int = 9092, controller_port: int = 9093, log_dir: str = "/d") -> dict[str, str]:
    return server_properties(
        "127.0.0.1", port, controller_port, Path(log_dir), admin_password="admin-pw", controller_password="ctl-pw"
    )


def test_single_node_broker_is_its_own_controller_on_the_given_ports():
    properties = properties_of(19092, 19093, "/data/logs")

    assert properties["process.roles"] == "broker,controller"
    assert properties["controller.quorum.voters"] == f"{properties['node.id']}@127.0.0.1:19093"
    assert properties["listeners"] == "CLIENT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert properties["advertised.listeners"].startswith("CLIENT://127.0.0.1:19092")
    assert properties["controller.listener.names"] == "CONTROLLER"
    assert properties["log.dirs"] == "/data/logs"


def test_every_listener_authenticates_and_acls_deny_by_default():
    properties = properties_of()

    assert properties["listener.security.protocol.map"] == "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT"
    assert properties["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert properties["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    # The principals the broker and the controller present to each other are the only super users.
    assert properties["super.users"] == "User:admin;User:controller"
    assert 'username="admin" password="admin-pw"' in properties["listener.name.client.scram-sha-512.sasl.jaas.config"]
    assert 'user_controller="ctl-pw"' in properties["listener.name.controller.plain.sasl.jaas.config"]


def test_topics_are_never_created_by_the_broker_itself():
    assert properties_of()["auto.create.topics.enable"] == "false"


def test_a_password_that_would_break_the_jaas_entry_is_refused():
    with pytest.raises(ValueError, match="quotes"):
        server_properties("127.0.0.1", 1, 2, Path("/d"), admin_password='x" user_evil="y', controller_password="c")


def test_internal_topics_fit_on_one_broker():
    properties = properties_of()

    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
    ):
        assert properties[key] == "1", key


def test_topics_keep_their_history_by_default():
    properties = properties_of()

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


def test_a_single_node_sets_no_cluster_defaults_for_topics():
    properties = properties_of()

    assert "default.replication.factor" not in properties and "min.insync.replicas" not in properties
    assert properties["node.id"] == "1"


def test_a_node_of_a_three_node_cluster_lists_every_voter_and_keeps_three_replicas_of_which_two_acknowledge():
    voters = "1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293"
    properties = server_properties(
        "127.0.0.1", 9192, 9193, Path("/d"), admin_password="a", controller_password="c",
        node_id=2, quorum_voters=voters, cluster_size=3,
    )

    assert properties["node.id"] == "2"
    assert properties["controller.quorum.voters"] == voters
    assert properties["listeners"] == "CLIENT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193"
    assert {key: properties[key] for key in (
        "default.replication.factor", "min.insync.replicas", "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr",
    )} == {
        "default.replication.factor": "3", "min.insync.replicas": "2", "offsets.topic.replication.factor": "3",
        "transaction.state.log.replication.factor": "3", "transaction.state.log.min.isr": "2",
        "share.coordinator.state.topic.replication.factor": "3", "share.coordinator.state.topic.min.isr": "2",
    }


def test_a_two_node_cluster_replicates_on_both_and_accepts_a_write_on_one():
    properties = server_properties(
        "127.0.0.1", 1, 2, Path("/d"), admin_password="a", controller_password="c", node_id=1,
        quorum_voters="1@127.0.0.1:2,2@127.0.0.1:4", cluster_size=2,
    )

    assert (properties["offsets.topic.replication.factor"], properties["min.insync.replicas"]) == ("2", "1")
