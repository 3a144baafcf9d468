"""Whether the service behind a product answers: its ``/ready``, asked with a short timeout and remembered a while.

Product pages show it next to the availability SLO; the catalog never waits long for a service that is down.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx


@dataclass(frozen=True)
class ServiceStatus:
    url: str
    ready: bool
    detail: str
    checked_at: datetime


class ServiceProbe:
    def __init__(self, *, timeout: float = 0.5, cache_seconds: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self._client = httpx.Client(timeout=timeout, transport=transport)
        self._cache: dict[str, tuple[float, ServiceStatus]] = {}
        self._lock = threading.Lock()

    def status(self, service_url: str) -> ServiceStatus:
        """The readiness of ``service_url`` (cached for ``cache_seconds``)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(service_url)
        if cached and now - cached[0] < self.cache_seconds:
            return cached[1]
        status = self._ask(service_url)
        with self._lock:
            self._cache[service_url] = (now, status)
        return status

    def _ask(self, service_url: str) -> ServiceStatus:
        url = service_url.rstrip("/") + "/ready"
        checked = datetime.now(UTC)
        try:
            response = self._client.get(url)
        except httpx.HTTPError as e:
            return ServiceStatus(service_url, False, f"unreachable: {type(e).__name__}", checked)
        if response.status_code == 200:
            return ServiceStatus(service_url, True, "ready", checked)
        return ServiceStatus(service_url, False, f"not ready (HTTP {response.status_code})", checked)

    def close(self) -> None:
        self._client.close()
