"""Emitting OpenLineage events to the catalog without ever slowing down or breaking the service that emits them.

:class:`LineageEmitter` hands events to a background thread that sends them with openlineage-python's HTTP
transport (``POST <catalog>/api/v1/lineage``, as to Marquez). While the catalog is unreachable the event at the head
is retried with jittered back-off and the others wait in the queue, in order, so a catalog outage delays lineage but
loses none; a refusal (4xx) is logged, never raised, and a full queue drops new events with a warning.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.generated.error_message_run import ErrorMessageRunFacet
from openlineage.client.transport.http import HttpConfig, HttpTransport, TokenProvider
from openlineage.client.transport.transport import Transport
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_when_event_set, wait_random_exponential

from mesh_platform.auth.client_credentials import ClientCredentials, TokenUnavailable
from mesh_platform.contracts.product import DataProductContract
from mesh_platform.lineage.facets import product_dataset_event
from mesh_platform.lineage.naming import PRODUCER, DatasetName, JobName

log = logging.getLogger(__name__)

_RETRIED_STATUSES = frozenset({401, 408, 429})  # a token renewed, a timeout, throttling: worth another attempt

_STOP = object()


class BearerFrom(TokenProvider):
    """openlineage-python's token provider fed by a service's :class:`ClientCredentials` (renewed before expiry)."""

    def __init__(self, credentials: ClientCredentials) -> None:
        super().__init__({})
        self.credentials = credentials

    def get_bearer(self) -> str | None:
        try:
            return f"Bearer {self.credentials.token()}"
        except TokenUnavailable as e:
            log.warning("sending lineage without a token: %s", e)
            return None


def catalog_transport(
    catalog_url: str, *, timeout: float = 5.0, retries: int = 2, credentials: ClientCredentials | None = None
) -> HttpTransport:
    """openlineage-python's HTTP transport pointed at the catalog's Marquez-compatible endpoint."""
    return HttpTransport(
        HttpConfig(
            url=catalog_url.rstrip("/") + "/",
            endpoint="api/v1/lineage",
            timeout=timeout,
            auth=BearerFrom(credentials) if credentials is not None else TokenProvider({}),
            retry={"total": retries, "connect": retries, "read": retries, "backoff_factor": 0.5,
                   "status_forcelist": [500, 502, 503, 504], "allowed_methods": ["POST"]},
        )
    )


class LineageEmitter:
    """Sends OpenLineage events in the background; every public method returns at once and never raises.

    ``transport`` defaults to the HTTP transport to ``catalog_url``; tests pass another openlineage transport.
    """

    def __init__(
        self,
        catalog_url: str,
        *,
        transport: Transport | None = None,
        max_queued: int = 10_000,
        credentials: ClientCredentials | None = None,
    ) -> None:
        self.client = OpenLineageClient(transport=transport or catalog_transport(catalog_url, credentials=credentials))
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_queued)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0
        self.dropped = 0
        self.retries = 0
        self.retry_wait = wait_random_exponential(multiplier=0.5, max=30.0)
        self._closing = threading.Event()

    # datasets ----------------------------------------------------------------------------------------------------

    def emit_dataset(self, contract: DataProductContract) -> None:
        """Announce the product version ``contract`` defines (schema, ownership, documentation, datasource)."""
        self.emit(product_dataset_event(contract))

    # runs --------------------------------------------------------------------------------------------------------

    def run_started(
        self, job: JobName, inputs: Iterable[DatasetName] = (), outputs: Iterable[DatasetName] = (),
        *, run_id: str | None = None,
    ) -> str:
        """Emit START for a new run of ``job``; returns the run id to pass to completed/failed."""
        run_id = run_id or str(uuid.uuid4())
        self.emit(_run_event(RunState.START, job, run_id, inputs, outputs))
        return run_id

    def run_completed(
        self, job: JobName, inputs: Iterable[DatasetName] = (), outputs: Iterable[DatasetName] = (),
        *, run_id: str,
    ) -> None:
        """Emit COMPLETE for run ``run_id`` of ``job``."""
        self.emit(_run_event(RunState.COMPLETE, job, run_id, inputs, outputs))

    def run_failed(
        self, job: JobName, inputs: Iterable[DatasetName] = (), outputs: Iterable[DatasetName] = (),
        *, run_id: str, error: BaseException | str | None = None,
    ) -> None:
        """Emit FAIL for run ``run_id`` of ``job``, with the error message when there is one."""
        self.emit(_run_event(RunState.FAIL, job, run_id, inputs, outputs, error))

    @contextmanager
    def run(
        self, job: JobName, inputs: Iterable[DatasetName] = (), outputs: Iterable[DatasetName] = ()
    ) -> Iterator[str]:
        """START on entry, COMPLETE on a normal exit, FAIL (and re-raise) on an exception."""
        inputs, outputs = list(inputs), list(outputs)
        run_id = self.run_started(job, inputs, outputs)
        try:
            yield run_id
        except BaseException as e:
            self.run_failed(job, inputs, outputs, run_id=run_id, error=e)
            raise
        self.run_completed(job, inputs, outputs, run_id=run_id)

    # delivery ----------------------------------------------------------------------------------------------------

    def emit(self, event: object) -> None:
        """Queue any openlineage-python event (RunEvent, DatasetEvent, JobEvent) for sending."""
        self._ensure_worker()
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            log.warning("lineage queue full (%d events): dropped an event", self._queue.maxsize)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event was attempted; False if ``timeout`` passed first."""
        done = threading.Event()
        self.emit(done)
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued (up to ``timeout``) and stop the background thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            log.warning("lineage queue still full at shutdown; %d events not sent", self._queue.qsize())
        thread.join(timeout)
        if thread.is_alive():  # still retrying an unreachable catalog: give up now, the service is stopping
            self._closing.set()
            thread.join(2.0)

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="lineage-emitter", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            event = self._queue.get()
            if event is _STOP:
                return
            if isinstance(event, threading.Event):
                event.set()
                continue
            self._send(event)

    def _send(self, event: object) -> None:
        """Send one event, retrying while the catalog is unreachable, so an outage delays lineage but loses none.

        Events wait in the queue meanwhile, in order. A refusal (a 4xx other than 401/408/429) is final: retrying
        cannot change it, so it is logged and counted in ``failed``. Retrying stops when the emitter is closed.
        """
        retrying = Retrying(
            retry=retry_if_exception(_worth_retrying),
            wait=self.retry_wait,
            stop=stop_when_event_set(self._closing),
            sleep=self._pause,
            before_sleep=self._retrying,
            reraise=True,
        )
        try:
            retrying(self.client.emit, event)
        except Exception as e:  # refused, or the service is stopping: the catalog being down must not break it
            self.failed += 1
            log.warning("an OpenLineage event was not delivered to the catalog: %s", e)
        else:
            self.sent += 1

    def _pause(self, seconds: float) -> None:
        """Back off for ``seconds``, or less when the emitter is closed meanwhile."""
        self._closing.wait(seconds)

    def _retrying(self, state: RetryCallState) -> None:
        self.retries += 1
        error = state.outcome.exception() if state.outcome else None
        log.warning("could not send an OpenLineage event to the catalog (attempt %d, retrying in %.1fs): %s",
                    state.attempt_number, state.next_action.sleep if state.next_action else 0.0, error)


def _worth_retrying(error: BaseException) -> bool:
    """Whether sending again may succeed: not for a refusal (a 4xx), except an expired token or throttling."""
    status = getattr(getattr(error, "response", None), "status_code", None)
    return status is None or not 400 <= status < 500 or status in _RETRIED_STATUSES


def _run_event(
    state: RunState, job: JobName, run_id: str, inputs: Iterable[DatasetName], outputs: Iterable[DatasetName],
    error: BaseException | str | None = None,
) -> RunEvent:
    facets = {}
    if error is not None:
        message = str(error) or type(error).__name__
        facets["errorMessage"] = ErrorMessageRunFacet(message=message, programmingLanguage="python", producer=PRODUCER)
    return RunEvent(
        eventType=state,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=run_id, facets=facets),  # type: ignore[arg-type]
        job=Job(namespace=job.namespace, name=job.name),
        inputs=[InputDataset(namespace=d.namespace, name=d.name) for d in inputs],
        outputs=[OutputDataset(namespace=d.namespace, name=d.name) for d in outputs],
        producer=PRODUCER,
    )
