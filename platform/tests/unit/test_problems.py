"""Every error answers RFC 9457 problem+json with a stable type URI clients can branch on."""

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from mesh_platform.errors import Conflict, DomainError, NotFound, RuleViolated
from mesh_platform.http.problems import INVALID_CURSOR, PROBLEM_TYPES, ProblemError, install_problem_handlers

PREFIX = "urn:problem-type:octagon-mesh:"


class Fighter(BaseModel):
    name: str


def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    errors = {"missing": NotFound("no fighter f-1", field="fighter_id"), "clash": Conflict("already booked"),
              "rule": RuleViolated("retired", field="status"), "other": DomainError("odd")}

    @app.get("/domain/{kind}")
    def domain(kind: str) -> None:
        raise errors[kind]

    @app.get("/http/{status}")
    def http(status: int) -> None:
        raise HTTPException(status, "told so", headers={"Retry-After": "5"})

    @app.get("/cursor")
    def cursor() -> None:
        raise ProblemError(INVALID_CURSOR, "cursor: forged", field="cursor")

    @app.post("/fighters")
    def register(fighter: Fighter) -> Fighter:
        return fighter

    return TestClient(app)


def test_domain_errors_map_to_their_status_and_type():
    c = client()
    expected = {"missing": (404, "not-found"), "clash": (409, "conflict"), "rule": (422, "rule-violated"),
                "other": (400, "bad-request")}
    for kind, (status, name) in expected.items():
        response = c.get(f"/domain/{kind}")
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PREFIX + name
    assert c.get("/domain/missing").json()["errors"] == [{"field": "fighter_id", "reason": "no fighter f-1"}]


def test_http_errors_get_the_generic_type_of_their_status_and_keep_their_headers():
    response = client().get("/http/503")
    assert response.json()["type"] == PREFIX + "unavailable"
    assert response.headers["Retry-After"] == "5"
    assert client().get("/http/418").json()["type"] == "about:blank"
    assert client().get("/nowhere").json()["type"] == PREFIX + "not-found"


def test_a_specific_problem_names_its_field_once():
    problem = client().get("/cursor").json()
    assert problem["type"] == PREFIX + "invalid-cursor"
    assert problem["status"] == 400
    assert problem["errors"] == [{"field": "cursor", "reason": "forged"}]


def test_invalid_body_is_an_invalid_request_problem_naming_the_field():
    problem = client().post("/fighters", json={"nom": "x"}).json()
    assert problem["type"] == PREFIX + "invalid-request"
    assert problem["status"] == 422
    assert problem["errors"][0]["field"] == "name"


def test_problem_type_uris_are_unique():
    assert len({kind.uri for kind in PROBLEM_TYPES}) == len(PROBLEM_TYPES)
    assert all(kind.uri.startswith(PREFIX) for kind in PROBLEM_TYPES)
