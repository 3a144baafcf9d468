"""The OpenAPI document of a service tells the truth about its errors and its metrics, and is a valid 3.1 document."""

from typing import Annotated

from fastapi import FastAPI, HTTPException, Query
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from prometheus_client import CollectorRegistry
from pydantic import BaseModel

from mesh_platform.http.edge import install_http_edge
from mesh_platform.http.operations import ReadinessProbe, operations_router
from mesh_platform.http.problems import PROBLEM_TYPES
from mesh_platform.settings import ServiceSettings


class Fighter(BaseModel):
    name: str


def document() -> dict:
    app = FastAPI(title="t", version="1")
    install_http_edge(app, ServiceSettings())
    app.include_router(operations_router(ReadinessProbe({}), CollectorRegistry()))

    @app.post("/fighters", status_code=201, responses={409: {"description": "Already registered"}})
    def register(fighter: Fighter) -> Fighter:
        raise HTTPException(409, "no")

    @app.get("/fighters")
    def search(limit: Annotated[int, Query(ge=1)] = 10) -> list[Fighter]:
        return []

    return TestClient(app).get("/openapi.json").json()


def error_responses(doc: dict):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    yield f"{method.upper()} {path} {status}", response


def test_the_document_is_valid_openapi():
    validate(document())


def test_no_route_documents_fastapis_validation_error_model():
    doc = document()
    assert "HTTPValidationError" not in str(doc)
    assert "ValidationError" not in doc["components"]["schemas"]


def test_every_error_response_is_problem_json_with_the_shared_schema():
    doc = document()
    for name, response in error_responses(doc):
        if name.startswith("GET /ready 503"):
            continue  # readiness answers its checks, documented as such
        assert list(response["content"]) == ["application/problem+json"], name
        assert response["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    problem = doc["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    assert set(problem["properties"]["type"]["examples"]) == {kind.uri for kind in PROBLEM_TYPES}


def test_error_responses_list_their_stable_type_uris():
    responses = document()["paths"]["/fighters"]["post"]["responses"]
    assert "urn:problem-type:octagon-mesh:invalid-request" in responses["422"]["description"]
    assert "urn:problem-type:octagon-mesh:body-too-large" in responses["413"]["description"]
    assert "urn:problem-type:octagon-mesh:json-too-deep" in responses["400"]["description"]
    assert "urn:problem-type:octagon-mesh:conflict" in responses["409"]["description"]
    assert responses["409"]["description"].startswith("Already registered")
    assert "urn:problem-type:octagon-mesh:internal-error" in responses["500"]["description"]


def test_every_operation_documents_the_internal_error_and_bodies_their_limits():
    doc = document()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert "500" in operation["responses"], f"{method} {path}"
            if "requestBody" in operation:
                assert {"400", "413"} <= set(operation["responses"]), f"{method} {path}"


def test_metrics_are_documented_as_prometheus_text():
    responses = document()["paths"]["/metrics"]["get"]["responses"]
    assert list(responses["200"]["content"]) == ["text/plain"]
