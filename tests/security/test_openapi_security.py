"""Every route that changes anything or reads a product declares the bearer scheme in its service's OpenAPI
document, so clients and gateways know what it needs without reading the code."""

import importlib

import pytest
from fastapi.testclient import TestClient

from mesh_tools.testing.authority import test_authority

SERVICES = ["catalog", "roster", "schedule", "results", "stats"]
# The token endpoint authenticates clients with their secret (RFC 6749 §2.3), not with a bearer token.
OPEN_BY_DESIGN = {("post", "/oauth2/token")}


@pytest.mark.parametrize("service", SERVICES)
def test_every_write_and_every_product_read_declares_the_bearer_scheme(service, tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("MESH_RELAY_ENABLED", "false")
    monkeypatch.setenv("MESH_SUBSCRIPTIONS_ENABLED", "false")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in test_authority().settings().items():
        monkeypatch.setenv(f"MESH_{name.upper()}", value)
    app = importlib.import_module(f"{service}.app").create_app()
    document = TestClient(app).get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["meshBearer"]["scheme"] == "bearer"
    unprotected = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            changes = method in ("post", "put", "patch", "delete")
            reads_product = path.startswith(("/data-products/", "/admin/"))
            if (changes or reads_product) and (method, path) not in OPEN_BY_DESIGN:
                if {"meshBearer": []} not in operation.get("security", []):
                    unprotected.append(f"{method.upper()} {path}")
                assert "401" in operation["responses"] and "403" in operation["responses"], (method, path)
    assert unprotected == []
