"""Schemathesis throws generated and malformed requests at every domain's API: never a 5xx, only clear answers.

Each service runs in-process against its own SQLite store (no broker needed: the relay and subscriptions are off,
the outbox simply keeps what commands write).
"""

import collections
import importlib
import re

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, reject, settings

from mesh_platform.auth.tokens import TokenIssuer
from mesh_platform.settings import DEV_TOKEN_SECRET

DOMAINS = ["roster", "schedule", "results", "stats"]


COMMAND_AND_PORT_PATHS = re.compile(r"^/(fighters|cards|bouts|data-products)")
CALLS: collections.Counter = collections.Counter()
TOKEN = TokenIssuer(DEV_TOKEN_SECRET).issue("fuzzer", ["read"])


@pytest.mark.parametrize("domain", DOMAINS)
def test_generated_requests_get_a_clear_answer_never_a_server_error(domain, tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("MESH_RELAY_ENABLED", "false")
    monkeypatch.setenv("MESH_SUBSCRIPTIONS_ENABLED", "false")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = importlib.import_module(f"{domain}.app").create_app()
    with TestClient(app):  # runs the lifespan: migrations
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        fuzzed = [operation for operation in operations if COMMAND_AND_PORT_PATHS.match(operation.path)]
        assert fuzzed, f"{domain} has no command or data-product operation"
        for operation in fuzzed:

            @given(case=operation.as_strategy())
            @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def answers_clearly(case):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
                try:
                    response = case.call()
                except httpx.InvalidURL:
                    reject()  # the client cannot even send it (control characters in the path)
                CALLS[domain] += 1
                assert response.status_code < 500, (
                    f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
                )
                if response.status_code >= 400:
                    content_type = {name.lower(): values for name, values in response.headers.items()}["content-type"]
                    assert content_type[0].startswith("application/problem+json")
                    assert response.json()["detail"]

            answers_clearly()
        assert CALLS[domain] >= 5 * len(fuzzed), "the fuzzer sent too few requests to mean anything"
