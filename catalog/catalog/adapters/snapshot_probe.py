"""The figures of a product major's analytical snapshot — its time, row count and content hash — for product pages.

The catalog asks the analytical port itself with ``HEAD /analytical/<product>/v<major>.parquet`` (the port answers
the headers of a fresh snapshot without its body, and a HEAD does not make the catalog a consumer). It asks only
the service URLs of its own configuration (``CATALOG_SERVICE_URLS``), never a URL a registration claims. The port
wants a token like any reader: the catalog, being the mesh's authorization server, signs itself one for that one
read scope (never a personal-data scope, so the figures are those of the masked snapshot every reader without the
PII grant gets), valid for a minute. Answers are remembered a while: taking a snapshot costs the service a full read.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from mesh_platform.auth.scopes import read_scope

SUBJECT = "catalog"
TOKEN_LIFETIME = timedelta(seconds=60)
FAILURE_CACHE_SECONDS = 15.0


@dataclass(frozen=True)
class SnapshotFigures:
    """What the analytical port said about a snapshot it took (``error`` set when it could not be asked)."""

    url: str
    checked_at: datetime
    taken_at: str | None = None
    rows: int | None = None
    sha256: str | None = None
    contract_version: str | None = None
    error: str | None = None

    @property
    def available(self) -> bool:
        return self.error is None


class SnapshotProbe:
    """Asks analytical ports for their snapshot figures, with a token it signs and a cache per port."""

    def __init__(
        self,
        sign: Callable[[dict[str, Any]], str],
        issuer: str,
        audience: str,
        service_urls: dict[str, str],
        *,
        timeout: float = 5.0,
        cache_seconds: float = 300.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.sign = sign
        self.issuer = issuer
        self.audience = audience
        self.service_urls = service_urls
        self.cache_seconds = cache_seconds
        self._client = httpx.Client(timeout=timeout, transport=transport)
        self._cache: dict[str, tuple[float, SnapshotFigures]] = {}
        self._lock = threading.Lock()

    def figures(self, domain: str, product: str, major: int) -> SnapshotFigures | None:
        """The figures of ``domain/product`` v``major``'s snapshot; None when the catalog knows no URL of the domain."""
        base = self.service_urls.get(domain)
        if base is None:
            return None
        url = f"{base}/analytical/{product}/v{major}.parquet"
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(url)
        # A failed answer is asked again sooner: the service may just have been starting.
        if cached and now - cached[0] < (self.cache_seconds if cached[1].available else FAILURE_CACHE_SECONDS):
            return cached[1]
        found = self._ask(url, read_scope(domain, product, major))
        with self._lock:
            self._cache[url] = (now, found)
        return found

    def _ask(self, url: str, scope: str) -> SnapshotFigures:
        checked = datetime.now(UTC)
        try:
            response = self._client.head(url, headers={"Authorization": f"Bearer {self._token(scope)}"})
        except httpx.HTTPError as e:
            return SnapshotFigures(url, checked, error=f"unreachable: {type(e).__name__}")
        if response.status_code != 200:
            return SnapshotFigures(url, checked, error=f"HTTP {response.status_code}")
        headers = response.headers
        try:
            rows = int(headers["X-Row-Count"])
            return SnapshotFigures(url, checked, headers["X-Snapshot-Time"], rows, headers["X-Content-SHA256"],
                                   headers.get("X-Contract-Version"))
        except (KeyError, ValueError):
            return SnapshotFigures(url, checked, error="the answer carried no snapshot figures")

    def _token(self, scope: str) -> str:
        now = datetime.now(UTC)
        return self.sign({"iss": self.issuer, "sub": SUBJECT, "aud": self.audience, "iat": now,
                          "exp": now + TOKEN_LIFETIME, "jti": uuid.uuid4().hex, "scope": scope, "client_id": SUBJECT})

    def close(self) -> None:
        self._client.close()
