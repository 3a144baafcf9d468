"""The server-side layout of lineage pictures."""

from __future__ import annotations

from catalog.ui.graph_layout import NODE_WIDTH, layout_graph


def node(node_id, ins=(), outs=()):
    kind = "JOB" if node_id.startswith("job:") else "DATASET"
    return {"id": node_id, "type": kind, "data": {"name": node_id.rsplit(":", 1)[1], "namespace": "ns"},
            "inEdges": [{"origin": o, "destination": node_id} for o in ins],
            "outEdges": [{"origin": node_id, "destination": d} for d in outs]}


def test_upstream_nodes_are_left_of_downstream_ones_and_nothing_overlaps():
    graph = [
        node("dataset:ns:a", outs=["job:ns:j"]),
        node("dataset:ns:b", outs=["job:ns:j"]),
        node("job:ns:j", ins=["dataset:ns:a", "dataset:ns:b"], outs=["dataset:ns:c"]),
        node("dataset:ns:c", ins=["job:ns:j"]),
    ]

    picture = layout_graph(graph, "job:ns:j")
    at = {n.id: (n.x, n.y) for n in picture.nodes}

    assert at["dataset:ns:a"][0] < at["job:ns:j"][0] < at["dataset:ns:c"][0]
    assert len(set(at.values())) == 4
    assert len(picture.edges) == 3
    assert picture.width >= at["dataset:ns:c"][0] + NODE_WIDTH
    assert [n.focus for n in picture.nodes] == [False, False, True, False]


def test_a_cycle_is_drawn_without_looping_forever():
    graph = [
        node("job:ns:x", ins=["dataset:ns:d"], outs=["dataset:ns:d"]),
        node("dataset:ns:d", ins=["job:ns:x"], outs=["job:ns:x"]),
    ]

    picture = layout_graph(graph, "dataset:ns:d")

    assert len(picture.nodes) == 2 and len(picture.edges) == 2
