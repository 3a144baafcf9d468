"""Sends commands to a service — one at a time or as an NDJSON batch — with a bearer token, idempotency keys and
retries with back-off.

Retrying is safe because every command carries an idempotency key: a repeat has no second effect and gets the
first answer back (a batch retried after a lost reply replays the lines that had already taken effect). Connection
errors and 5xx answers are retried; a 4xx is the service refusing the command (or the whole batch), which no retry
changes.

A batch goes to ``POST <single path without its parameter segments>/batch`` (``/cards/{card_id}/bouts`` →
``/cards/bouts/batch``) as ``application/x-ndjson``, one ``{"idempotency_key", "command", <path parameters>}`` per
line, and is answered line by line, in order, with ``{"line", "idempotency_key", "status", "body"}``: what the single
command would have answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

REPLAYED_HEADER = "Idempotent-Replayed"
NDJSON = "application/x-ndjson"


@dataclass(frozen=True)
class CommandAccepted:
    status: int
    body: dict[str, Any]
    replayed: bool | None
    """True: the first answer replayed for a repeated key; None: the service did not say (a batch line without
    ``"replayed"``)."""


class CommandRefused(Exception):
    """The service answered 4xx; carries the problem document's title/detail and field errors."""

    def __init__(self, status: int, detail: str, errors: tuple[dict[str, Any], ...]) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.errors = errors


class ServiceUnavailable(Exception):
    """The service could not be reached or kept failing (5xx) after every retry."""


@dataclass(frozen=True)
class BatchLine:
    """One command of a batch: its idempotency key, its JSON body (None: the command has none) and the path
    parameters of its single route (``{"card_id": ...}`` for a bout), which travel on the line."""

    idempotency_key: str
    command: dict[str, Any] | None
    params: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> str:
        line: dict[str, Any] = {"idempotency_key": self.idempotency_key, **self.params}
        if self.command is not None:
            line["command"] = self.command
        return json.dumps(line, separators=(",", ":"))


LineOutcome = CommandAccepted | CommandRefused
"""What became of one line of a batch: accepted (created or replayed) or refused (its problem document)."""


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
        """Send one command; :class:`CommandRefused` for a 4xx, :class:`ServiceUnavailable` once retries ran out."""
        response = self._send(base_url, path, {"Idempotency-Key": idempotency_key}, json=body)
        replayed = response.headers.get(REPLAYED_HEADER, "").lower() == "true"
        return CommandAccepted(response.status_code, response.json(), replayed)

    def post_batch(self, base_url: str, batch_path: str, lines: Sequence[BatchLine]) -> list[LineOutcome]:
        """Send ``lines`` as one NDJSON batch; the outcome of every line, in their order.

        :class:`CommandRefused` when the service refuses the whole batch (4xx), :class:`ServiceUnavailable` once
        retries ran out; a line the service answered with a problem is a :class:`CommandRefused` in the list.
        """
        content = "".join(line.encoded() + "\n" for line in lines).encode()
        response = self._send(base_url, batch_path, {"Content-Type": NDJSON}, content=content)
        answers: dict[int, dict[str, Any]] = {}
        for raw in response.text.splitlines():
            if raw.strip():
                answer = json.loads(raw)
                answers[int(answer["line"])] = answer
        outcomes: list[LineOutcome] = []
        for number in range(1, len(lines) + 1):
            answer = answers.get(number)
            if answer is None:
                outcomes.append(CommandRefused(response.status_code, f"line {number} was not answered", ()))
                continue
            status, body = int(answer["status"]), answer.get("body")
            if status >= 400:
                outcomes.append(_problem_refusal(status, body, ""))
            else:
                replayed = answer.get("replayed")
                outcomes.append(CommandAccepted(status, body if isinstance(body, dict) else {},
                                                replayed if isinstance(replayed, bool) else None))
        return outcomes

    def _send(self, base_url: str, path: str, headers: dict[str, str], **payload: Any) -> httpx.Response:
        """POST with retries: the first answer below 400; :class:`CommandRefused` for a 4xx."""
        with self._lock:
            down = self._down.get(base_url)
        if down is not None:
            raise ServiceUnavailable(f"{base_url} is down ({down})")
        # A callable hands out a fresh token each time (tokens live minutes; a full demo load takes longer).
        token = self.token() if callable(self.token) else self.token
        headers = {"Authorization": f"Bearer {token}", **headers}
        reason, unreachable = "", False
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.first_backoff * 2 ** (attempt - 1))
            try:
                response = self.client.post(f"{base_url.rstrip('/')}{path}", headers=headers, **payload)
            except httpx.TransportError as e:
                reason, unreachable = f"{type(e).__name__}: {e}", True
                continue
            if response.status_code >= 500:
                reason, unreachable = f"HTTP {response.status_code}", False
                continue
            if response.status_code >= 400:
                raise _refusal(response)
            return response
        if unreachable:
            with self._lock:
                self._down.setdefault(base_url, reason)
        raise ServiceUnavailable(f"{base_url}{path} failed {self.attempts} times; last: {reason}")


def _refusal(response: httpx.Response) -> CommandRefused:
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    return _problem_refusal(response.status_code, problem, response.text[:200] or response.reason_phrase)


def _problem_refusal(status: int, problem: Any, fallback: str) -> CommandRefused:
    """A refusal from a problem+json document (anything else: ``fallback`` as the detail)."""
    if not isinstance(problem, dict):
        problem = {}
    detail = problem.get("detail") or problem.get("title") or fallback or f"HTTP {status}"
    errors = problem.get("errors") or ()
    return CommandRefused(status, str(detail), tuple(e for e in errors if isinstance(e, dict)))
