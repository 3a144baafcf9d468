"""Marquez's lineage query over the in-memory graph: node ids, job-hop depth, limits, shape."""

from __future__ import annotations

import pytest

from catalog.domain.lineage_graph import (
    DATASET,
    JOB,
    LineageGraph,
    MalformedNodeId,
    UnknownNode,
    dataset_node_id,
    job_node_id,
    parse_node_id,
)


def pipeline(length: int) -> LineageGraph:
    """d0 → j1 → d1 → j2 → d2 … → j<length> → d<length> (namespace ns)."""
    graph = LineageGraph()
    graph.put_node(dataset_node_id("ns", "d0"), DATASET, {"name": "d0"})
    for i in range(1, length + 1):
        job, before, after = job_node_id("ns", f"j{i}"), dataset_node_id("ns", f"d{i - 1}"), dataset_node_id("ns", f"d{i}")
        graph.put_node(job, JOB, {"name": f"j{i}"})
        graph.put_node(after, DATASET, {"name": f"d{i}"})
        graph.add_edge(before, job)
        graph.add_edge(job, after)
    return graph


def ids(found) -> set[str]:
    return {node["id"] for node in found.nodes}


def test_depth_counts_job_hops_and_takes_every_dataset_of_each_job():
    graph = pipeline(6)

    found = graph.lineage(job_node_id("ns", "j3"), 1, max_depth=20, max_nodes=100)

    assert ids(found) == {
        "job:ns:j2", "job:ns:j3", "job:ns:j4",
        "dataset:ns:d1", "dataset:ns:d2", "dataset:ns:d3", "dataset:ns:d4",
    }


def test_depth_zero_from_a_job_is_the_job_with_its_inputs_and_outputs():
    found = pipeline(3).lineage(job_node_id("ns", "j2"), 0, max_depth=20, max_nodes=100)

    assert ids(found) == {"job:ns:j2", "dataset:ns:d1", "dataset:ns:d2"}


def test_query_from_a_dataset_starts_at_every_job_reading_or_writing_it():
    found = pipeline(4).lineage(dataset_node_id("ns", "d2"), 0, max_depth=20, max_nodes=100)

    assert ids(found) == {"dataset:ns:d1", "job:ns:j2", "dataset:ns:d2", "job:ns:j3", "dataset:ns:d3"}


def test_dataset_without_jobs_is_answered_alone():
    graph = LineageGraph()
    graph.put_node("dataset:octagon.roster:fighters.v1", DATASET, {"name": "fighters.v1"})

    found = graph.lineage("dataset:octagon.roster:fighters.v1", 20, max_depth=20, max_nodes=100)

    assert [node["id"] for node in found.nodes] == ["dataset:octagon.roster:fighters.v1"]
    assert found.nodes[0]["inEdges"] == [] and found.nodes[0]["outEdges"] == []


def test_nodes_have_marquez_shape_and_edges_stay_inside_the_answer():
    found = pipeline(5).lineage(job_node_id("ns", "j3"), 0, max_depth=20, max_nodes=100)
    by_id = {node["id"]: node for node in found.nodes}

    assert list(by_id["job:ns:j3"]) == ["id", "type", "data", "inEdges", "outEdges"]
    assert by_id["job:ns:j3"]["type"] == "JOB" and by_id["dataset:ns:d2"]["type"] == "DATASET"
    assert by_id["job:ns:j3"]["inEdges"] == [{"origin": "dataset:ns:d2", "destination": "job:ns:j3"}]
    assert by_id["job:ns:j3"]["outEdges"] == [{"origin": "job:ns:j3", "destination": "dataset:ns:d3"}]
    # d2 is written by j2, which is outside depth 0: that edge is left out
    assert by_id["dataset:ns:d2"]["inEdges"] == []
    assert found.nodes[0]["id"] == "job:ns:j3"  # nearest first


def test_an_answer_is_rebuilt_when_a_node_gains_an_edge_or_new_data():
    graph = pipeline(2)
    graph.lineage(job_node_id("ns", "j1"), 0, max_depth=20, max_nodes=100)  # fills the cached fragments
    graph.put_node(dataset_node_id("ns", "late"), DATASET, {"name": "late"})
    graph.add_edge("job:ns:j1", "dataset:ns:late")
    graph.put_node("dataset:ns:d0", DATASET, {"name": "d0", "description": "renamed"})

    found = {node["id"]: node for node in graph.lineage(job_node_id("ns", "j1"), 0, max_depth=20, max_nodes=100).nodes}

    assert found["job:ns:j1"]["outEdges"] == [{"origin": "job:ns:j1", "destination": "dataset:ns:d1"},
                                              {"origin": "job:ns:j1", "destination": "dataset:ns:late"}]
    assert found["dataset:ns:d0"]["data"] == {"name": "d0", "description": "renamed"}


def test_depth_beyond_the_limit_is_capped_and_says_so():
    graph = pipeline(30)

    found = graph.lineage(job_node_id("ns", "j1"), 25, max_depth=5, max_nodes=1000)

    assert found.depth_capped and found.depth == 5 and found.requested_depth == 25
    assert "job:ns:j6" in ids(found) and "job:ns:j7" not in ids(found)
    assert found.limits["depthCapped"] is True


def test_node_limit_keeps_the_nearest_jobs_and_says_it_truncated():
    graph = pipeline(30)

    found = graph.lineage(job_node_id("ns", "j1"), 20, max_depth=20, max_nodes=9)

    assert found.truncated
    assert len(found.nodes) <= 9 and found.limits["nodeCount"] == len(found.nodes)
    assert {"job:ns:j1", "job:ns:j2", "job:ns:j3"} <= ids(found)
    assert "job:ns:j5" not in ids(found)
    for node in found.nodes:  # no edge leads out of the answer
        assert all(edge["origin"] in ids(found) and edge["destination"] in ids(found)
                   for edge in node["inEdges"] + node["outEdges"])


def test_unknown_node_is_reported():
    with pytest.raises(UnknownNode):
        pipeline(1).lineage("dataset:ns:nope", 1, max_depth=20, max_nodes=10)


@pytest.mark.parametrize("value", ["table:ns:name", "dataset:ns", "dataset::name", "job:ns:", "run:1234", "dataset:ns:n#v1"])
def test_malformed_node_ids_are_refused(value):
    with pytest.raises(MalformedNodeId):
        parse_node_id(value)


def test_node_ids_split_like_marquez_keeping_uris_and_ports_in_the_namespace():
    assert parse_node_id("dataset:octagon.roster:fighters.v1") == ("DATASET", "octagon.roster", "fighters.v1")
    assert parse_node_id("dataset:postgres://db:5432:public.users") == ("DATASET", "postgres://db:5432", "public.users")
    assert parse_node_id("job:octagon.consumers:kafka.stats") == ("JOB", "octagon.consumers", "kafka.stats")


def test_an_edge_is_added_once():
    graph = pipeline(1)

    assert graph.add_edge("dataset:ns:d0", "job:ns:j1") is False
    assert graph.edge_count == 2
