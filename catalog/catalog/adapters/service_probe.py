"""Whether the service behind a product answers: its ``/ready``, asked with a short timeout and remembered a while.

Product pages show it next to the availability SLO; the catalog never waits long for a service that is down.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx


@dataclass(frozen=True)
class ServiceStatus:
    url: str
    ready: bool
    detail: str
    checked_at: datetime
    # Records each subscription of the service has not committed yet, per consumer group and topic (from /ready).
    lag: dict[str, dict[str, int]] = field(default_factory=dict)

    def consumer_lag(self, group: str, topic: str) -> int | None:
        """How far consumer group ``group`` of this service is behind on ``topic`` (None when it did not say)."""
        by_topic = self.lag.get(group)
        return None if by_topic is None or topic not in by_topic else by_topic[topic]


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
        lag = _subscription_lag(response)
        if response.status_code == 200:
            return ServiceStatus(service_url, True, "ready", checked, lag)
        return ServiceStatus(service_url, False, f"not ready (HTTP {response.status_code})", checked, lag)

    def close(self) -> None:
        self._client.close()


def _subscription_lag(response: httpx.Response) -> dict[str, dict[str, int]]:
    """``{group: {topic: records}}`` from the pipeline section a domain's ``/ready`` carries (empty otherwise)."""
    try:
        subscriptions = response.json().get("pipeline", {}).get("subscriptions", {})
        lag: dict[str, dict[str, int]] = {}
        for group, health in subscriptions.items():
            by_topic = lag.setdefault(group, {topic: 0 for topic in health.get("topics", [])})
            for topic_partition, records in (health.get("lag_by_partition") or {}).items():
                topic = topic_partition.rpartition("/")[0]
                by_topic[topic] = by_topic.get(topic, 0) + int(records)
        return lag
    except (ValueError, AttributeError, TypeError):  # not a domain's /ready: no lag to show
        return {}
