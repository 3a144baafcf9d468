"""Sends one command to a service: JSON body, bearer token, idempotency key, retries with back-off.

Retrying is safe because every command carries an ``Idempotency-Key``: a repeat has no second effect and gets the
first answer back. Connection errors and 5xx answers are retried; a 4xx is the service refusing the command, which
no retry changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class CommandAccepted:
    status: int
    body: dict[str, Any]
    replayed: bool


class CommandRefused(Exception):
    """The service answered 4xx; carries the problem document's title/detail and field errors."""

    def __init__(self, status: int, detail: str, errors: tuple[dict[str, Any], ...]) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.errors = errors


class ServiceUnavailable(Exception):
    """The service could not be reached or kept failing (5xx) after every retry."""


class CommandSender:
    """Posts commands through one shared ``httpx.Client`` (thread-safe); gives up on a service that stays down.

    Once a service has stayed unreachable through all retries of a command, later commands to it fail at once
    instead of each waiting through the back-off again.
    """

    def __init__(
        self,
        client: httpx.Client,
        token: str | Callable[[], str],
        *,
        attempts: int = 6,
        first_backoff: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.token = token
        self.attempts = attempts
        self.first_backoff = first_backoff
        self.sleep = sleep
        self._down: dict[str, str] = {}
        self._lock = threading.Lock()

    def post(self, base_url: str, path: str, body: dict[str, Any] | None, idempotency_key: str) -> CommandAccepted:
        with self._lock:
            down = self._down.get(base_url)
        if down is not None:
            raise ServiceUnavailable(f"{base_url} is down ({down})")
        # A callable hands out a fresh token each time (tokens live minutes; a full demo load takes longer).
        token = self.token() if callable(self.token) else self.token
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key}
        reason, unreachable = "", False
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.first_backoff * 2 ** (attempt - 1))
            try:
                response = self.client.post(f"{base_url.rstrip('/')}{path}", json=body, headers=headers)
            except httpx.TransportError as e:
                reason, unreachable = f"{type(e).__name__}: {e}", True
                continue
            if response.status_code >= 500:
                reason, unreachable = f"HTTP {response.status_code}", False
                continue
            if response.status_code >= 400:
                raise _refusal(response)
            replayed = response.headers.get(REPLAYED_HEADER, "").lower() == "true"
            return CommandAccepted(response.status_code, response.json(), replayed)
        if unreachable:
            with self._lock:
                self._down.setdefault(base_url, reason)
        raise ServiceUnavailable(f"{base_url}{path} failed {self.attempts} times; last: {reason}")


def _refusal(response: httpx.Response) -> CommandRefused:
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    detail = problem.get("detail") or problem.get("title") or response.text[:200] or response.reason_phrase
    errors = problem.get("errors") or ()
    return CommandRefused(response.status_code, str(detail), tuple(e for e in errors if isinstance(e, dict)))
