"""Registering with the catalog in the background, so a service starts and runs whether the catalog is up or not.

:class:`CatalogRegistrar` keeps a list of things to tell the catalog (contract registrations, consumers) and a
thread that tells them, retrying with exponential back-off while the catalog is unreachable. A refusal is logged
with its reasons and not retried (the contract must change first). Nothing here blocks the caller or raises.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mesh_platform.catalog_client.client import (
    CatalogClient,
    CatalogRequestRejected,
    CatalogUnavailable,
    ConsumerKind,
    NotYet,
    RegistrationRefused,
    RegistrationReply,
)

log = logging.getLogger(__name__)
DEFERRED_RETRY_SECONDS = 1.0


@dataclass
class _Task:
    description: str
    send: Callable[[], Any]
    attempts: int = field(default=0)


class CatalogRegistrar:
    """Tells the catalog about contracts and consumers, retrying until it listens.

    ``initial_delay`` doubles after each round in which the catalog was unavailable, up to ``max_delay``.
    """

    def __init__(self, client: CatalogClient, *, initial_delay: float = 0.5, max_delay: float = 30.0) -> None:
        self.client = client
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.registered: dict[str, RegistrationReply] = {}
        self.refused: dict[str, RegistrationRefused] = {}
        self._pending: list[_Task] = []
        self._reported: set[tuple[str, str, str, str, int]] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._only_deferred = False

    # what to tell ------------------------------------------------------------------------------------------------

    def register(self, contract_document: dict[str, Any], service_url: str) -> None:
        """Register a contract as soon as the catalog answers."""
        identity = f"{contract_document.get('id')} {contract_document.get('version')}"

        def send() -> None:
            try:
                reply = self.client.register_contract(contract_document, service_url)
            except RegistrationRefused as e:
                self.refused[identity] = e
                log.error("the catalog refused %s: %s", identity, "; ".join(e.reasons))
                return
            self.registered[identity] = reply
            log.info("registered %s with the catalog: %s", identity, reply.outcome)

        self._add(_Task(f"register {identity}", send))

    def report_consumer(self, kind: ConsumerKind, consumer: str, domain: str, product: str, major: int) -> None:
        """Report a consumer once per process (repeated calls cost a set lookup: safe on every request)."""
        key = (kind, consumer, domain, product, major)
        with self._lock:
            if key in self._reported:
                return
            self._reported.add(key)
        self._add(_Task(f"report {kind} consumer {consumer} of {domain}/{product} v{major}",
                        lambda: self.client.report_consumer(kind, consumer, domain, product, major)))

    def request_access(self, domain: str, product: str, major: int, *, pii: bool, purpose: str) -> None:
        """Ask for access to a product major the service reads, as soon as the catalog answers."""
        description = f"request access to {domain}/{product} v{major}{' with personal data' if pii else ''}"

        def send() -> None:
            request = self.client.request_access(domain, product, major, pii=pii, purpose=purpose)
            log.info("%s: %s", description, request.get("status"))

        self._add(_Task(description, send))

    # the background thread ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        with self._lock:
            if self._thread is not None:
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="catalog-registrar", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop retrying; what is still pending is given up (and logged)."""
        with self._lock:
            thread, self._thread = self._thread, None
        self._stopping.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout)
        if self._pending:
            log.warning("stopped with %d catalog request(s) not delivered", len(self._pending))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is pending (for tests and orderly start-up); False on timeout."""
        return self._idle.wait(timeout)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def _add(self, task: _Task) -> None:
        with self._lock:
            self._pending.append(task)
            self._idle.clear()
        self._wake.set()

    def _run(self) -> None:
        delay = self.initial_delay
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            while not self._stopping.is_set():
                with self._lock:
                    tasks = list(self._pending)
                if not tasks:
                    self._idle.set()
                    break
                unavailable = self._attempt(tasks)
                if not unavailable:
                    delay = self.initial_delay
                    continue
                if self._only_deferred:
                    # Waiting for another service to register: it happens within seconds, so ask again soon.
                    log.info("waiting to ask the catalog again: %s", unavailable)
                    if self._stopping.wait(min(delay, DEFERRED_RETRY_SECONDS)):
                        return
                    continue
                log.warning("catalog unavailable (%s); retrying in %.1fs", unavailable, delay)
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, self.max_delay)

    def _attempt(self, tasks: list[_Task]) -> str | None:
        """Try every task; the reason the catalog was unavailable (or a task must wait), if so."""
        deferred = None
        self._only_deferred = False
        for task in tasks:
            task.attempts += 1
            try:
                task.send()
            except NotYet as e:  # this task waits for someone else (e.g. another domain's registration); go on
                deferred = str(e)
                continue
            except CatalogUnavailable as e:
                return str(e)
            except CatalogRequestRejected as e:
                log.error("the catalog rejected %s: %s", task.description, e)
            except Exception:  # never let a surprise kill the thread or the service
                log.exception("unexpected failure while trying to %s", task.description)
            with self._lock:
                self._pending.remove(task)
        self._only_deferred = deferred is not None
        return deferred
