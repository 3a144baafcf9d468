"""Schemathesis throws generated and malformed requests at every domain's API: never a 5xx, only clear answers.

Each service runs in-process against its own SQLite store (no broker needed: the relay and subscriptions are off,
the outbox simply keeps what commands write).
"""

import collections
import importlib
import json
import re

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, reject, settings

from mesh_platform.contracts import ContractRegistry
from mesh_tools.testing.authority import test_authority

DOMAINS = ["roster", "schedule", "results", "stats"]


COMMAND_AND_PORT_PATHS = re.compile(r"^/(fighters|cards|bouts|data-products|analytical)")
CALLS: collections.Counter = collections.Counter()


@schemathesis.serializer("application/x-ndjson")
def ndjson_batch(ctx, value) -> bytes:
    """A batch route's body is NDJSON, one command per line; its schema describes one line, so a case is one line."""
    return value if isinstance(value, bytes) else (json.dumps(value) + "\n").encode()


def token_of(domain: str) -> str:
    """A token holding everything a client of ``domain`` may hold: its commands, reads and personal data."""
    own = [c for c in ContractRegistry.from_directory() if c.domain == domain]
    scopes = [f"write:{domain}", f"admin:{domain}", *(f"read:{c.domain}.{c.product}.v{c.major}" for c in own),
              *(f"pii:{c.domain}.{c.product}" for c in own)]
    return test_authority().token("fuzzer", scopes)


def start(domain, tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_RUN_DIR", str(tmp_path))
    for name, value in test_authority().settings().items():
        monkeypatch.setenv(f"MESH_{name.upper()}", value)
    monkeypatch.setenv("MESH_RELAY_ENABLED", "false")
    monkeypatch.setenv("MESH_SUBSCRIPTIONS_ENABLED", "false")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return importlib.import_module(f"{domain}.app").create_app()


@pytest.mark.parametrize("domain", DOMAINS)
def test_generated_requests_get_a_clear_answer_never_a_server_error(domain, tmp_path, monkeypatch):
    app = start(domain, tmp_path, monkeypatch)
    token = token_of(domain)
    with TestClient(app):  # runs the lifespan: migrations
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        fuzzed = [operation for operation in operations if COMMAND_AND_PORT_PATHS.match(operation.path)]
        assert fuzzed, f"{domain} has no command or data-product operation"
        for operation in fuzzed:

            @given(case=operation.as_strategy())
            @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def answers_clearly(case):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
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


@pytest.mark.parametrize("domain", DOMAINS)
def test_generated_requests_without_a_token_are_only_ever_refused(domain, tmp_path, monkeypatch):
    app = start(domain, tmp_path, monkeypatch)
    calls = 0
    with TestClient(app):
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        protected = [result.ok() for result in schema.get_all_operations()]
        protected = [operation for operation in protected if COMMAND_AND_PORT_PATHS.match(operation.path)
                     or operation.path.startswith("/admin")]
        for operation in protected:

            @given(case=operation.as_strategy())
            @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def refused(case):
                nonlocal calls
                headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "authorization"}
                for authorization in (None, "Bearer not-a-token", f"Bearer {test_authority().token('x', ['write:elsewhere'])}"):
                    case.headers = {**headers, **({"Authorization": authorization} if authorization else {})}
                    try:
                        response = case.call()
                    except httpx.InvalidURL:
                        reject()
                    calls += 1
                    assert response.status_code in (401, 403), (
                        f"{case.method} {case.formatted_path} without a valid token → {response.status_code}"
                    )
                    answered = {name.lower(): values[0] for name, values in response.headers.items()}
                    assert answered["content-type"].startswith("application/problem+json")
                    assert answered["www-authenticate"].startswith("Bearer")

            refused()
    assert calls >= 10, "the fuzzer sent too few requests to mean anything"
