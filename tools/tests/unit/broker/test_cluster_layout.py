"""How a local multi-node cluster lays out its nodes: ids, ports, data directories, one voter set, one cluster id."""

import pytest

from mesh_tools.broker.cluster import LocalKafkaCluster


def test_node_n_listens_on_the_cluster_ports_plus_100_per_node_with_its_own_data(tmp_path):
    cluster = LocalKafkaCluster(tmp_path, nodes=3, port=9092, controller_port=9093)

    assert [(node.node_id, node.port, node.controller_port) for node in cluster.nodes] == [
        (1, 9092, 9093), (2, 9192, 9193), (3, 9292, 9293)]
    assert [node.data_dir for node in cluster.nodes] == [tmp_path / f"node-{n}" for n in (1, 2, 3)]
    assert cluster.bootstrap_servers == "127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292"
    assert {node.quorum_voters for node in cluster.nodes} == {"1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293"}


def test_every_node_shares_the_cluster_id_and_the_super_users_password(tmp_path):
    cluster = LocalKafkaCluster(tmp_path, nodes=3)

    assert {node._cluster_id() for node in cluster.nodes} == {cluster.cluster_id}
    assert LocalKafkaCluster(tmp_path, nodes=3).cluster_id == cluster.cluster_id  # kept for restarts
    passwords = {node.admin_settings.password.get_secret_value() for node in cluster.nodes}
    assert passwords == {cluster.admin_settings.password.get_secret_value()}
    assert cluster.admin_settings.bootstrap_servers == cluster.bootstrap_servers


def test_ports_that_clash_between_nodes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="must all differ"):
        LocalKafkaCluster(tmp_path, nodes=2, ports=[(9092, 9093), (9093, 9094)])
    with pytest.raises(ValueError, match="port pairs"):
        LocalKafkaCluster(tmp_path, nodes=3, ports=[(9092, 9093)])
