"""Operational endpoints of every service: ``/health``, ``/ready`` and ``/metrics``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy import Engine, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from mesh_platform.kafka.client import KafkaClientSettings

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], str | None]
"""Returns None when the dependency is fine, else the reason it is not."""


@dataclass
class ReadinessProbe:
    """Named readiness checks; a slow dependency is asked at most every ``cache_seconds``.

    ``/ready`` is public: a check that raises reports only the kind of failure; the exception's text (hosts, users,
    SQL) goes to the service's log, once per change, not to the caller.
    """

    checks: dict[str, ReadinessCheck]
    cache_seconds: float = 2.0
    _cached: tuple[float, dict[str, str | None]] | None = None
    _logged: dict[str, str] = field(default_factory=dict)

    def run(self) -> dict[str, str | None]:
        """Run (or reuse) every check and return ``{name: reason-or-None}``."""
        now = time.monotonic()
        if self._cached and now - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        results: dict[str, str | None] = {}
        for name, check in self.checks.items():
            try:
                results[name] = check()
            except Exception as e:  # a check that crashes is a failed check, not a 500
                results[name] = f"unreachable ({type(e).__name__}); the service log has the details"
                if self._logged.get(name) != str(e):
                    log.warning("readiness check %r failed: %s: %s", name, type(e).__name__, e)
                    self._logged[name] = str(e)
            else:
                self._logged.pop(name, None)
        self._cached = (now, results)
        return results


def store_check(engine: Engine) -> ReadinessCheck:
    """Readiness of the service's own store."""

    def check() -> str | None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None

    return check


def broker_check(bootstrap_servers: str | KafkaClientSettings) -> ReadinessCheck:
    """Readiness of the Kafka cluster: a metadata request must succeed (with the service's own credentials)."""

    def check() -> str | None:
        from kafka import KafkaAdminClient

        from mesh_platform.kafka.client import kafka_client_kwargs

        admin = KafkaAdminClient(
            **kafka_client_kwargs(bootstrap_servers), request_timeout_ms=3000, bootstrap_timeout_ms=3000
        )
        try:
            admin.list_topics()
        finally:
            admin.close()
        return None

    return check


class HttpMetrics:
    """Request counters and latencies per route template, in the service's own registry."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.requests = Counter(
            "http_requests_total", "HTTP requests", ["service", "method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"], registry=registry
        )
        self.service = service

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)


_READINESS_SCHEMA = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["ok", "reason"],
            "properties": {"ok": {"type": "boolean"}, "reason": {"type": ["string", "null"]}}}},
        "pipeline": {"type": "object", "description": "Outbox backlog and each subscription's state, lag and error kind "
                     "(messages: GET /admin/pipeline)"},
    },
}
_READINESS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Every dependency is reachable", "content": {"application/json": {"schema": _READINESS_SCHEMA}}},
    503: {"description": "A dependency is not reachable; `checks` says which and why",
          "content": {"application/json": {"schema": _READINESS_SCHEMA}}},
}


def operations_router(
    probe: ReadinessProbe, registry: CollectorRegistry, pipeline: Callable[[], dict[str, Any]] | None = None
) -> APIRouter:
    """The ``/health``, ``/ready`` and ``/metrics`` routes.

    ``pipeline`` adds the event pipeline's progress to ``/ready`` (outbox backlog, each subscription's state, lag and
    the kind of its last error, never the message): informative, it does not make the service unready, since a lagging subscription still serves reads.
    """
    router = APIRouter(tags=["operations"])

    # Answered on the event loop itself: liveness must not queue behind the thread pool's blocking work.
    @router.get("/health", summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready", summary="Readiness: store and broker reachable", responses=_READINESS_RESPONSES)
    def ready() -> JSONResponse:
        results = probe.run()
        ok = all(reason is None for reason in results.values())
        body = {
            "status": "ready" if ok else "not ready",
            "checks": {name: {"ok": reason is None, "reason": reason} for name, reason in results.items()},
        }
        if pipeline is not None:
            body["pipeline"] = pipeline()
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        responses={200: {"description": "The Prometheus text exposition format (version 0.0.4)",
                         "content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


class RequestMetricsMiddleware:
    """Times every request and counts it under its route template (not the raw path, to bound cardinality).

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` costs a task and a stream copy per request.
    """

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_remember(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_remember)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.observe(scope["method"], template, status, time.perf_counter() - started)
