"""Every service publishes a valid OpenAPI document that tells the truth about its errors and its metrics."""

import importlib

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from mesh_platform.contracts import ContractRegistry

SERVICES = ["catalog", "roster", "schedule", "results", "stats"]
# Errors whose shape a standard fixes: readiness answers its checks, the token endpoint speaks RFC 6749 §5.2.
NOT_PROBLEMS = {("/ready", "503"), ("/oauth2/token", "400"), ("/oauth2/token", "401")}


@pytest.fixture
def document(request, tmp_path, monkeypatch) -> dict:
    monkeypatch.setenv("MESH_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("MESH_RELAY_ENABLED", "false")
    monkeypatch.setenv("MESH_SUBSCRIPTIONS_ENABLED", "false")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = importlib.import_module(f"{request.param}.app").create_app()
    return TestClient(app).get("/openapi.json").json()  # no lifespan: the document needs no store


@pytest.mark.parametrize("document", SERVICES, indirect=True)
def test_the_document_is_valid_openapi(document):
    validate(document)


@pytest.mark.parametrize("document", SERVICES, indirect=True)
def test_errors_are_documented_as_problem_json_never_as_fastapis_validation_error(document):
    assert "HTTPValidationError" not in str(document)
    assert "Problem" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "500" in responses, f"{method} {path}"
            for status, response in responses.items():
                if status[0] not in "45":
                    continue
                expected = "application/json" if (path, status) in NOT_PROBLEMS else "application/problem+json"
                assert list(response.get("content", {})) == [expected], f"{method} {path} {status}"


@pytest.mark.parametrize("document", SERVICES, indirect=True)
def test_metrics_are_documented_as_text(document):
    assert list(document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == ["text/plain"]


@pytest.mark.parametrize("document", ["roster"], indirect=True)
def test_data_product_reads_document_their_headers_and_the_conditional_304(document):
    for path in ("/data-products/fighters/v1", "/data-products/fighters/v1/{key}"):
        responses = document["paths"][path]["get"]["responses"]
        assert {"ETag", "Link", "Deprecation", "Sunset"} <= set(responses["200"]["headers"]), path
        assert "If-None-Match" in responses["304"]["description"]
        assert "application/json" in responses["200"]["content"]  # the contract's schema stays


@pytest.mark.parametrize("document", ["roster", "schedule", "results", "stats"], indirect=True)
def test_every_data_product_filter_is_a_query_parameter_typed_by_its_contract_field(document):
    documented = 0
    for contract in ContractRegistry.from_directory():
        operation = document["paths"].get(contract.http_path, {}).get("get")
        if operation is None:
            continue
        for parameter in operation["parameters"]:
            if parameter["in"] != "query" or parameter["name"] in {"limit", "cursor", "fields"}:
                continue
            spec = contract.field(parameter["name"])
            schema = parameter["schema"]
            assert schema["type"] == ("string" if spec.logical_type in {"date", "timestamp"} else spec.logical_type)
            assert schema.get("enum") == (list(spec.allowed_values) if spec.allowed_values else None)
            if spec.logical_type == "date":
                assert schema["format"] == "date"
            documented += 1
    assert documented, "no filter documented"
