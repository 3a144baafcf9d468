"""Body-size and JSON-depth limits at the edge: a 413 or 400 problem before any route sees the body."""

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mesh_platform.http.limits import RequestLimits, RequestLimitsMiddleware, json_depth, json_too_deep
from mesh_platform.http.problems import install_problem_handlers

LIMITS = RequestLimits(max_body_bytes=1000, max_json_depth=8)


def client(limits: RequestLimits = LIMITS) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestLimitsMiddleware, limits=limits)

    @app.post("/echo")
    def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    return TestClient(app)


def nested(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"[1]" + b"}" * (depth - 1)


def test_body_declared_over_the_limit_is_a_413_problem_naming_the_limit():
    response = client().post("/echo", content=json.dumps({"x": "y" * 2000}))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:problem-type:octagon-mesh:body-too-large"
    assert problem["max_bytes"] == 1000
    assert "1000 bytes" in problem["detail"]
    assert problem["errors"] == [{"field": "body", "reason": "more than 1000 bytes"}]


def test_streamed_body_without_content_length_is_counted_as_it_arrives():
    def chunks():
        for _ in range(20):
            yield b'{"padding": "' + b"x" * 80 + b'"}'

    response = client().post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413
    assert response.json()["max_bytes"] == 1000


def test_body_within_the_limit_reaches_the_route_unchanged():
    body = {"name": "x" * 900}
    response = client().post("/echo", json=body)
    assert response.status_code == 200
    assert response.json() == body


def test_limit_is_configurable():
    body = {"name": "x" * 1500}
    assert client(RequestLimits(max_body_bytes=2000, max_json_depth=8)).post("/echo", json=body).status_code == 200


def test_deeply_nested_json_is_a_400_problem_not_a_server_error():
    response = client(RequestLimits(max_body_bytes=10_000_000, max_json_depth=8)).post(
        "/echo", content=nested(100_000), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:problem-type:octagon-mesh:json-too-deep"
    assert problem["max_depth"] == 8
    assert problem["errors"][0]["field"] == "body"


def test_json_at_the_depth_limit_is_accepted_and_one_deeper_refused():
    ok = client().post("/echo", content=nested(8), headers={"content-type": "application/json"})
    assert ok.status_code == 200
    refused = client().post("/echo", content=nested(9), headers={"content-type": "application/json"})
    assert refused.status_code == 400


def test_json_depth_is_checked_on_bodies_without_content_type_too():
    response = client().post("/echo", content=nested(9))
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [1, {"b": []}], "c": {}}', 4),
        (b'{"a": "[[[[{{{{"}', 1),
        (rb'{"a": "\"[[[[", "b": ["\\"]}', 2),
        (b'[[], [[]], []]', 3),
    ],
)
def test_json_depth_counts_arrays_and_objects_but_not_brackets_in_strings(text, depth):
    assert json_depth(text) == depth


def test_depth_check_of_a_wide_shallow_body_is_not_fooled_by_many_brackets():
    wide = json.dumps([[i] for i in range(10_000)]).encode()
    assert not json_too_deep(wide, 2)
    assert json_too_deep(wide, 1)


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        RequestLimits(max_body_bytes=0)
