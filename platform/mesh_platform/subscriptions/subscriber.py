"""A subscription: consume a topic, handle each event once, dead-letter what cannot be handled.

The consumer loop lives here: poll a batch, hand it to the group's :class:`~mesh_platform.subscriptions.batch.
BatchHandler` (one local transaction that runs the handlers and records the event ids in ``processed_events``),
and only after that commit commit the Kafka offsets. A crash between the two re-delivers the records, and the
processed-event rows turn the redelivery into a no-op. Failures are retried with jittered back-off, never skipped.

Consumer settings (:func:`mesh_platform.subscriptions.consumer.group_consumer`): a fetch returns as soon as one
record waits (``fetch_min_bytes=1``), so ``poll_timeout_ms`` and ``fetch_max_wait_ms`` only bound how long an idle
subscription sleeps; a poll returns up to 500 records, handled in one transaction and one offset commit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_when_event_set, wait_random_exponential

from mesh_platform.events.envelope import InvalidEnvelope, from_kafka_record
from mesh_platform.store.platform_tables import PlatformTables
from mesh_platform.subscriptions.batch import (
    AfterHandlersFailed,
    BatchHandler,
    ConsumedRecord,
    DecodedEvent,
    EventHandler,
    EventValidator,
    HandlingFailed,
    HandlingRefused,
)
from mesh_platform.subscriptions.consumer import group_consumer
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher
from mesh_platform.subscriptions.health import SubscriptionHealth
from mesh_platform.subscriptions.lag import ConsumerStalled, LagObserver

if TYPE_CHECKING:
    from mesh_platform.kafka.client import KafkaClientSettings

# Re-exported: where they were declared before the batch handling had its own module.
__all__ = ["AfterHandlersFailed", "ConsumerStalled", "EventHandler", "EventValidator", "HandlingFailed", "Subscription"]

log = logging.getLogger(__name__)


class Subscription:
    """Consumes ``topics`` as consumer group ``group_id`` and dispatches events by CloudEvents type.

    ``handlers`` maps ``ce_type`` to a handler that writes to the subscriber's own store through the given session
    (it must not commit); domains declare them by event class with
    :class:`~mesh_platform.subscriptions.spec.SubscriptionSpec`, which lowers to these arguments. Types in
    ``ignored`` are recorded as processed without a handler: the subscriber said it does not need them. Any other
    type is dead-lettered ("no handler"), never silently dropped: it waits, re-drivable, until the subscriber
    handles or ignores it. ``after_handlers`` runs once per batch after every handler, in the same transaction
    (e.g. re-deriving what the batch made stale). ``validator`` raises ``ValueError`` for data that breaks the
    contract.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        tables: PlatformTables,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, EventHandler],
        bootstrap_servers: str | KafkaClientSettings,
        dead_letters: DeadLetterPublisher,
        validator: EventValidator | None = None,
        consumer_factory: Callable[[], Any] | None = None,
        poll_timeout_ms: int = 500,
        on_commit: Callable[[], None] | None = None,
        on_dead_letter: Callable[[str], None] | None = None,
        ignored: Iterable[str] = (),
        after_handlers: Callable[[Session], None] | None = None,
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.group_id = group_id
        self.topics = topics
        self.bootstrap_servers = bootstrap_servers
        self.dead_letters = dead_letters
        self.batches = BatchHandler(
            engine=engine, tables=tables, group_id=group_id, handlers=dict(handlers), ignored=frozenset(ignored),
            park=self._dead_letter, validator=validator, after_handlers=after_handlers,
        )
        self.consumer_factory = consumer_factory or self._group_consumer
        self.poll_timeout_ms = poll_timeout_ms
        self.on_commit = on_commit
        self.on_dead_letter = on_dead_letter
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed_total = 0
        self.dead_lettered_total = 0
        self.health = SubscriptionHealth()
        self._lag = LagObserver(self.health)
        self.retry_wait = wait_random_exponential(multiplier=0.5, max=10.0)
        # A consumer that keeps lag but returns nothing this long is rebuilt rather than trusted to recover.
        self.stall_timeout = 60.0

    @property
    def handlers(self) -> Mapping[str, EventHandler]:
        """The handlers by CloudEvents type."""
        return self.batches.handlers

    @property
    def ignored(self) -> frozenset[str]:
        """The event types recorded as processed without a handler."""
        return self.batches.ignored

    @property
    def last_error(self) -> str | None:
        """Why the last attempt to consume or handle failed (None once a batch succeeded)."""
        return self.health.last_error

    def start(self) -> None:
        """Consume in a daemon thread until :meth:`stop`."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"subscription-{self.group_id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop consuming; uncommitted records are re-delivered to the next consumer of the group."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            # Its producer's sender thread would otherwise outlive the subscription (and time out flushing at exit).
            self.dead_letters.close()
        self.health.state = "stopped"

    def process(self, record: ConsumedRecord) -> bool:
        """Handle one consumed record. Returns False when it must be retried (store unavailable)."""
        try:
            self._handle(self._decode_all([record]))
        except OperationalError as e:
            self.health.record_error("store unavailable", e)
            return False
        return True

    def handle_parked(self, record: ConsumedRecord) -> str | None:
        """Handle a dead-lettered record again (after a fix); return why it still fails, or None once handled.

        ``record`` must carry its original topic. A record that fails again is not parked a second time: it stays
        where it is, and the reason is returned. An event handled before (its id is in ``processed_events``) is a
        no-op, so re-driving twice never applies an event twice.
        """
        try:
            message = from_kafka_record(record)
        except InvalidEnvelope as e:
            return f"invalid envelope: {e}"
        refusal = self.batches.refusal(message)
        if refusal is not None:
            return refusal
        try:
            handled, processed = self.batches.run([(record, message)], isolate=False)
        except HandlingRefused as e:
            cause = e.__cause__
            return f"handler failed: {type(cause).__name__}: {cause}"
        self.processed_total += processed
        if handled and self.on_commit:
            self.on_commit()
        return None

    def _group_consumer(self) -> Any:
        return group_consumer(self.bootstrap_servers, self.group_id, self.topics)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                # A fresh retry budget per connection: a consumer that worked for hours starts its back-off anew.
                self._retrying("consumer")(self._connect_and_consume)
            except Exception:  # only when stopped while failing
                return

    def _connect_and_consume(self) -> None:
        """Build a consumer and consume until stopped; raises while the broker cannot be used."""
        consumer = self.consumer_factory()  # raises while the broker is down: retried, nothing is lost
        try:
            self._consume(consumer)
        finally:
            try:
                consumer.close()
            except Exception:  # a broken consumer must not stop the loop
                log.debug("closing consumer failed", exc_info=True)

    def _retrying(self, what: str) -> Retrying:
        """Retry with jittered exponential back-off until it works or the subscription stops; log every failure."""
        return Retrying(
            retry=retry_if_exception_type(Exception),
            wait=self.retry_wait,
            stop=stop_when_event_set(self._stop),
            sleep=self._pause,
            before_sleep=lambda state: self._failed(what, state),
            reraise=True,
        )

    def _pause(self, seconds: float) -> None:
        """Back off for ``seconds``, or less when the subscription is stopped meanwhile."""
        self._stop.wait(seconds)

    def _failed(self, what: str, state: RetryCallState) -> None:
        """Record a failed attempt in :attr:`health` and log it (the first with its traceback)."""
        error = state.outcome.exception() if state.outcome else None
        health = self.health
        health.state = "retrying" if what == "batch" else "starting"
        health.record_error(what, error)
        health.consecutive_failures = state.attempt_number
        health.retries_total += 1
        if health.failing_since is None:
            health.failing_since = time.monotonic()
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "subscription %s: %s failed (attempt %d, failing for %.0fs, retrying in %.1fs): %s: %s",
            self.group_id, what, state.attempt_number, time.monotonic() - health.failing_since, delay,
            type(error).__name__, error, exc_info=error if state.attempt_number == 1 else None,
        )

    def _recovered(self) -> None:
        health = self.health
        if health.failing_since is not None:
            log.info("subscription %s recovered after %d failed attempts", self.group_id, health.consecutive_failures)
        health.state = "consuming"
        health.clear_error()
        health.failing_since = None
        health.consecutive_failures = 0

    def _consume(self, consumer: Any) -> None:
        from kafka import OffsetAndMetadata, TopicPartition

        self._recovered()
        self._lag.reset()
        last_progress = time.monotonic()
        while not self._stop.is_set():
            batches = consumer.poll(timeout_ms=self.poll_timeout_ms)
            self._lag.observe(consumer)
            if batches or not self.health.total_lag:
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > self.stall_timeout and self._lag.still_lagging(consumer):
                raise ConsumerStalled(
                    f"{self.health.total_lag} records wait on {sorted(self.health.lag)} but none arrived for "
                    f"{self.stall_timeout:.0f}s; rebuilding the consumer"
                )
            if not batches:
                continue
            records = [record for partition_records in batches.values() for record in partition_records]
            if not self._handle_until_done(self._decode_all(records)):
                return  # stopping: the batch is re-delivered to the next consumer of the group
            # Offsets are committed after the events' local transaction committed: a crash in between re-delivers
            # events whose ids are already in processed_events, so no handler runs twice.
            offsets = {
                TopicPartition(partition.topic, partition.partition): partition_records[-1].offset + 1
                for partition, partition_records in batches.items()
            }
            consumer.commit({partition: OffsetAndMetadata(offset, "", -1) for partition, offset in offsets.items()})
            self._lag.committed(offsets)
            self._lag.observe(consumer)

    def _handle_until_done(self, events: Sequence[DecodedEvent]) -> bool:
        """Handle a batch, retrying the same events while its transaction fails; False if stopped first.

        Any failure outside a handler's own refusal (a locked or unreachable store, an error while the transaction
        commits) is retried rather than skipped, so no event is lost; each attempt is logged and counted.
        """
        try:
            self._retrying("batch")(self._handle, events)
        except Exception:
            if self._stop.is_set():
                return False
            raise
        self._recovered()
        return True

    def _decode_all(self, records: Iterable[ConsumedRecord]) -> list[DecodedEvent]:
        """Decode and check records; those with a broken envelope or contract go to the dead-letter topic."""
        return self.batches.decode(records)

    def _handle(self, events: Sequence[DecodedEvent]) -> None:
        """Handle a batch in one local transaction (see :meth:`BatchHandler.handle`); raises when it fails."""
        handled, processed = self.batches.handle(events)
        self.processed_total += processed
        if handled and self.on_commit:
            self.on_commit()  # handlers may have written outbox rows: let the relay pick them up now

    def _dead_letter(self, record: ConsumedRecord, reason: str) -> None:
        log.warning("dead-lettering %s@%s/%s: %s", record.topic, record.partition, record.offset, reason)
        self.dead_letters.publish(record, reason=reason, consumer_group=self.group_id)
        self.dead_lettered_total += 1
        if self.on_dead_letter:
            self.on_dead_letter(reason)
