"""The outbox relay: publishes committed outbox rows to Kafka in order and marks them sent.

A row is marked published only after the broker acknowledged it (acks=all), so a broker outage delays events but
loses none: the rows wait, and the relay retries with back-off — including when the producer cannot even be built.

Batching: a unit of work that wrote outbox rows wakes the relay when it commits (``wake``; ``poll_interval`` is only
the fallback for rows another process wrote). Each pass claims up to ``batch_size`` rows in id order, sends them all,
``flush()``es once and marks them published in one ``UPDATE``: under load a pass carries whatever committed while the
previous one was in flight, and at low load an event goes out as soon as its commit wakes the relay. Producer
settings: :mod:`mesh_platform.kafka.producer_settings`; the stored payload text is sent as is:
:mod:`mesh_platform.outbox.encoding`.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from sqlalchemy import Connection, Engine, Row, Table, func, select, update
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_when_event_set, wait_random_exponential

from mesh_platform.events.envelope import kafka_headers
from mesh_platform.kafka.producer_settings import relay_producer_settings
from mesh_platform.outbox.encoding import outbox_record, payload_json_column
from mesh_platform.store.engine import is_postgresql
from mesh_platform.store.writer_turns import writer_turn

# A row of the outbox table, whose columns the relay reads by name.
OutboxRow: TypeAlias = Row[*tuple[Any, ...]]

if TYPE_CHECKING:
    from mesh_platform.kafka.client import KafkaClientSettings

log = logging.getLogger(__name__)


class EventProducer(Protocol):
    """The part of ``kafka.KafkaProducer`` the relay uses."""

    def send(self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]) -> Any: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...


ProducerFactory = Callable[[], EventProducer]


class OutboxGate(Protocol):
    """A per-batch hook (e.g. :class:`mesh_platform.quality.gate.QualityGate`): what may be published now.

    ``exclusion`` narrows what is claimed (None: everything); ``admit`` returns the claimed rows to send, in order.
    Both run in the claim transaction; rows not admitted stay unpublished in the outbox.
    """

    def exclusion(self, connection: Connection) -> Any: ...

    def admit(self, connection: Connection, rows: Sequence[OutboxRow]) -> Sequence[OutboxRow]: ...


def kafka_producer_factory(bootstrap_servers: str | KafkaClientSettings, client_id: str) -> ProducerFactory:
    """Factory of idempotent kafka-python producers (acks=all keeps acknowledged events durable).

    Their settings, and why: :mod:`mesh_platform.kafka.producer_settings`.

    ``bootstrap_servers`` is the connection (address and SASL credentials) or a bare address whose credentials come
    from the environment (:func:`mesh_platform.kafka.client.kafka_client_kwargs`).
    """

    def build() -> EventProducer:
        from kafka import KafkaProducer

        from mesh_platform.kafka.client import kafka_client_kwargs

        producer: EventProducer = KafkaProducer(
            **kafka_client_kwargs(bootstrap_servers), client_id=client_id, **relay_producer_settings()
        )
        return producer

    return build


class OutboxRelay:
    """Publishes unpublished outbox rows in id order (so in order per key) and marks them sent.

    On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so two relays never publish the same row, under a
    transaction-level advisory lock so only one relay publishes at a time and per-key order holds across relays.
    """

    def __init__(
        self,
        engine: Engine,
        table: Table,
        producer_factory: ProducerFactory,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        max_backoff: float = 10.0,
        send_timeout: float = 15.0,
        gate: OutboxGate | None = None,
    ) -> None:
        self.engine = engine
        self.table = table
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.send_timeout = send_timeout
        self.gate = gate
        self._producer: EventProducer | None = None
        self._lock_key = zlib.crc32(f"outbox-relay:{table.name}".encode())
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.published_total = 0
        self.last_error: str | None = None  # with the message: for logs and administrators only
        self.error_kind: str | None = None  # the exception's class: safe to show anyone

    def start(self) -> None:
        """Run the relay loop in a daemon thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop and close the producer (pending rows stay for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        self._close_producer()

    def wake(self) -> None:
        """Ask for an immediate pass (called after a commit that wrote outbox rows)."""
        self._wake.set()

    def pending(self) -> int:
        """How many rows wait to be published (rows a gate holds back are not waiting: the gate reports them)."""
        with self.engine.connect() as connection:
            query = select(func.count()).select_from(self.table).where(self.table.c.published_at.is_(None))
            held_back = self.gate.exclusion(connection) if self.gate is not None else None
            if held_back is not None:
                query = query.where(held_back)
            return connection.execute(query).scalar_one()

    def relay_once(self) -> int:
        """Publish one batch; return how many rows were published. Raises if the broker cannot be reached."""
        failure: Exception | None = None
        # SQLite: the relay writes (a gate's holds, the rows marked published) in its turn with the units of work
        # and subscriptions, held through the commit; reading the claim needs no turn (see writer_turns).
        with ExitStack() as turn, self.engine.begin() as connection:
            rows = self._claim(connection)
            if rows and self.gate is not None:
                turn.enter_context(writer_turn(self.engine))
                rows = list(self.gate.admit(connection, rows))
            if not rows:
                return 0
            try:
                producer = self._ensure_producer()
                futures = [self._send(producer, row) for row in rows]
                producer.flush(timeout=self.send_timeout)
                for future in futures:
                    future.get(timeout=self.send_timeout)
            except Exception as e:  # any broker failure: the rows stay unpublished
                failure = e
            else:
                turn.enter_context(writer_turn(self.engine))
                connection.execute(
                    update(self.table)
                    .where(self.table.c.id.in_([row.id for row in rows]))
                    .values(published_at=datetime.now(UTC), attempts=self.table.c.attempts + 1, last_error=None)
                )
        if failure is not None:
            # Recorded after the claim transaction ended, so PostgreSQL row locks are released first.
            self._record_failure([row.id for row in rows], failure)
            self._close_producer()
            raise failure
        self.published_total += len(rows)
        return len(rows)

    def _claim(self, connection: Connection) -> Sequence[OutboxRow]:
        if is_postgresql(self.engine):
            # One relay publishes at a time per store (the others stand by): per-key order then holds across
            # instances, and FOR UPDATE SKIP LOCKED still keeps a row from ever being published twice.
            if not connection.execute(select(func.pg_try_advisory_xact_lock(self._lock_key))).scalar_one():
                return []
        # The payload is read as its stored JSON text and sent as is (see mesh_platform.outbox.encoding); only a
        # gate, which checks the data, needs it parsed.
        columns = [column for column in self.table.c if column.name != "payload" or self.gate is not None]
        query = (
            select(*columns, payload_json_column(self.table))
            .where(self.table.c.published_at.is_(None))
            .order_by(self.table.c.id)
            .limit(self.batch_size)
        )
        held_back = self.gate.exclusion(connection) if self.gate is not None else None
        if held_back is not None:
            query = query.where(held_back)
        if is_postgresql(self.engine):
            query = query.with_for_update(skip_locked=True)
        return sorted(connection.execute(query).all(), key=lambda row: row.id)

    def _send(self, producer: EventProducer, row: OutboxRow) -> Any:
        message = outbox_record(row)
        return producer.send(row.topic, value=message.value, key=row.message_key.encode(), headers=kafka_headers(message))

    def _record_failure(self, row_ids: list[int], error: Exception) -> None:
        self._remember(error)
        with writer_turn(self.engine), self.engine.begin() as connection:
            connection.execute(
                update(self.table)
                .where(self.table.c.id.in_(row_ids))
                .values(attempts=self.table.c.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000])
            )

    def _ensure_producer(self) -> EventProducer:
        if self._producer is None:
            self._producer = self.producer_factory()
        return self._producer

    def _close_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=2)
            except Exception:  # closing a broken producer must not stop the relay
                log.debug("closing producer failed", exc_info=True)
            self._producer = None

    def _run(self) -> None:
        retrying = Retrying(
            retry=retry_if_exception_type(Exception),
            # Jittered, so relays of several services do not hammer a broker that comes back all at once.
            wait=wait_random_exponential(multiplier=self.poll_interval, max=self.max_backoff),
            stop=stop_when_event_set(self._stop),
            sleep=self._pause,
            before_sleep=self._failed,
            reraise=True,
        )
        while not self._stop.is_set():
            try:
                published = retrying(self.relay_once)  # a fresh back-off for every streak of failures
            except Exception:  # only when stopped while the broker is unreachable: the rows wait for the next start
                return
            self.last_error = self.error_kind = None
            if published:
                continue  # drain the backlog before sleeping
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _failed(self, state: RetryCallState) -> None:
        self._remember(state.outcome.exception() if state.outcome else None)
        log.warning("outbox relay failed (attempt %d), retrying in %.1fs: %s", state.attempt_number,
                    state.next_action.sleep if state.next_action else 0.0, self.last_error)

    def _pause(self, seconds: float) -> None:
        """Back off for ``seconds``, or less when the relay is stopped meanwhile."""
        self._stop.wait(seconds)

    def _remember(self, error: BaseException | None) -> None:
        self.error_kind = type(error).__name__
        self.last_error = f"{self.error_kind}: {error}"
