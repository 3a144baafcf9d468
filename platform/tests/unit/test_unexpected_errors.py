"""An unexpected exception answers a problem+json 500 that names only a correlation id; the log has the rest."""

import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mesh_platform.http.problems import install_problem_handlers
from mesh_platform.http.unexpected_errors import UnexpectedErrorMiddleware

SECRET_DETAIL = "password=hunter2 at db.internal:5432"


def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(UnexpectedErrorMiddleware)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(SECRET_DETAIL)

    @app.get("/async-boom")
    async def async_boom() -> None:
        raise KeyError(SECRET_DETAIL)

    @app.get("/fine")
    def fine() -> dict[str, str]:
        return {"ok": "yes"}

    return TestClient(app)


def test_unexpected_error_is_a_problem_500_without_internals(caplog):
    with caplog.at_level(logging.ERROR, logger="mesh_platform.http.errors"):
        response = client().get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:problem-type:octagon-mesh:internal-error"
    assert set(problem) == {"type", "title", "status", "detail", "instance", "correlation_id"}
    for leak in ("hunter2", "RuntimeError", "Traceback", "boom()", ".py"):
        assert leak not in response.text
    assert problem["correlation_id"] in problem["detail"]
    assert response.headers["X-Request-ID"] == problem["correlation_id"]


def test_the_log_keeps_the_error_under_the_correlation_id(caplog):
    with caplog.at_level(logging.ERROR, logger="mesh_platform.http.errors"):
        problem = client().get("/async-boom").json()
    [record] = [r for r in caplog.records if r.name == "mesh_platform.http.errors"]
    assert problem["correlation_id"] in record.getMessage()
    assert record.exc_info and SECRET_DETAIL in str(record.exc_info[1])


def test_a_callers_request_id_becomes_the_correlation_id():
    response = client().get("/boom", headers={"X-Request-ID": "trace-42"})
    assert response.json()["correlation_id"] == "trace-42"


def test_an_unusable_request_id_is_replaced_by_a_fresh_one():
    response = client().get("/boom", headers={"X-Request-ID": "<script>" + "x" * 300})
    correlation_id = response.json()["correlation_id"]
    assert "<" not in correlation_id and len(correlation_id) == 32


def test_every_answer_carries_its_correlation_id():
    first, second = client().get("/fine"), client().get("/fine")
    assert first.status_code == 200
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
