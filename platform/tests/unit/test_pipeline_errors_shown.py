"""A failing subscription's error message (hosts, SQL, data) is for the domain's administrators: ``/ready``, which
anyone may call, names the kind of error only, and ``GET /admin/pipeline`` needs ``admin:<domain>``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.operations import ReadinessProbe, operations_router
from mesh_platform.http.pipeline import pipeline_router
from mesh_platform.subscriptions.health import SubscriptionHealth
from mesh_tools.testing.authority import test_authority

SECRET = "connection to db-7.internal:5432 failed for user 'stats_rw'"


def client() -> TestClient:
    health = SubscriptionHealth(state="retrying")
    health.record_error("batch", OSError(SECRET))

    def status(*, detail: bool = False) -> dict[str, Any]:
        return {"subscriptions": {"stats": health.as_dict(detail=detail)}}

    app = FastAPI()
    app.include_router(operations_router(ReadinessProbe({}), CollectorRegistry(), status))
    app.include_router(pipeline_router(status, Authorizer(test_authority().verifier()), "stats"))
    return TestClient(app)


def test_ready_names_the_kind_of_error_but_never_its_message():
    body = client().get("/ready").json()
    assert body["pipeline"]["subscriptions"]["stats"]["error"] == "batch: OSError"
    assert "db-7" not in str(body) and "stats_rw" not in str(body)


def test_the_error_message_is_shown_to_the_domains_administrators_only():
    http = client()
    assert http.get("/admin/pipeline").status_code == 401
    reader = test_authority().bearer("someone", ["read:stats.fighter-records.v1"])
    assert http.get("/admin/pipeline", headers=reader).status_code == 403
    other_admin = test_authority().bearer("roster-admin", ["admin:roster"])
    assert http.get("/admin/pipeline", headers=other_admin).status_code == 403
    admin = test_authority().bearer("stats-admin", ["admin:stats"])
    answer = http.get("/admin/pipeline", headers=admin)
    assert answer.status_code == 200
    assert answer.json()["subscriptions"]["stats"]["last_error"] == f"batch: OSError: {SECRET}"
