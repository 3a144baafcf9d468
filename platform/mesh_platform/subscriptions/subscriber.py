"""A subscription: consume a topic, handle each event once, dead-letter what cannot be handled.

Per record: decode the CloudEvent, validate its data, then in ONE local transaction run the handler and record the
event id in ``processed_events``; only after that commit is the Kafka offset committed. A crash between the two
re-delivers the record, and the processed-event row turns the redelivery into a no-op.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_when_event_set, wait_random_exponential

from mesh_platform.events.envelope import EventMessage, InvalidEnvelope, from_kafka_record
from mesh_platform.store.platform_tables import PlatformTables
from mesh_platform.subscriptions.consumer import group_consumer
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher
from mesh_platform.subscriptions.health import SubscriptionHealth

if TYPE_CHECKING:
    from mesh_platform.kafka.client import KafkaClientSettings

log = logging.getLogger(__name__)

EventHandler = Callable[[Session, EventMessage], None]
EventValidator = Callable[[EventMessage], None]

# A handler that reads a row, finds none and inserts it can meet a row another writer (the service's own HTTP
# lookup, another instance during a rebalance) committed in between: a unique violation that is no fault of the
# event. Run again in a fresh savepoint, the handler sees that row and updates it; only a violation that persists
# over these attempts parks the event.
CONFLICT_ATTEMPTS = 3


class HandlingFailed(Exception):
    """A handler refuses an event for good (it goes to the dead-letter topic with this reason)."""


class HandlingRefused(Exception):
    """Internal: a handler raised on the fast path; the batch is re-run one savepoint per event."""


class AfterHandlersFailed(Exception):
    """The step after a batch's handlers failed: the batch's transaction is rolled back and retried."""


class ConsumerStalled(Exception):
    """Records wait on assigned partitions but the consumer has returned none for too long: it is rebuilt."""


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
        self.handlers = dict(handlers)
        self.ignored = frozenset(ignored)
        self.after_handlers = after_handlers
        self.bootstrap_servers = bootstrap_servers
        self.dead_letters = dead_letters
        self.validator = validator
        self.consumer_factory = consumer_factory or (lambda: group_consumer(self.bootstrap_servers, self.group_id, self.topics))
        self.poll_timeout_ms = poll_timeout_ms
        self.on_commit = on_commit
        self.on_dead_letter = on_dead_letter
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed_total = 0
        self.dead_lettered_total = 0
        self.health = SubscriptionHealth()
        self._committed: dict[Any, int] = {}  # per partition, the next offset this group committed
        self.retry_wait = wait_random_exponential(multiplier=0.5, max=10.0)
        # A consumer that keeps lag but returns nothing this long is rebuilt rather than trusted to recover.
        self.stall_timeout = 60.0

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
        self.health.state = "stopped"

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
            sleep=self._stop.wait,
            before_sleep=lambda state: self._failed(what, state),
            reraise=True,
        )

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
        self._committed = {}
        last_progress = time.monotonic()
        while not self._stop.is_set():
            batches = consumer.poll(timeout_ms=self.poll_timeout_ms)
            self._observe_lag(consumer)
            if batches or not self.health.total_lag:
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > self.stall_timeout and self._still_lagging(consumer):
                raise ConsumerStalled(
                    f"{self.health.total_lag} records wait on {sorted(self.health.lag)} but none arrived for "
                    f"{self.stall_timeout:.0f}s; rebuilding the consumer"
                )
            if not batches:
                continue
            records = [record for partition_records in batches.values() for record in partition_records]
            messages = self._decode_all(records)
            if not self._handle_until_done(messages):
                return  # stopping: the batch is re-delivered to the next consumer of the group
            # Offsets are committed after the events' local transaction committed: a crash in between re-delivers
            # events whose ids are already in processed_events, so no handler runs twice.
            offsets = {
                TopicPartition(partition.topic, partition.partition): partition_records[-1].offset + 1
                for partition, partition_records in batches.items()
            }
            consumer.commit({partition: OffsetAndMetadata(offset, "", -1) for partition, offset in offsets.items()})
            self._committed.update(offsets)
            self._observe_lag(consumer)

    def _handle_until_done(self, messages: list[tuple[Any, EventMessage]]) -> bool:
        """Handle a batch, retrying the same events while its transaction fails; False if stopped first.

        Any failure outside a handler's own refusal (a locked or unreachable store, an error while the transaction
        commits) is retried rather than skipped, so no event is lost; each attempt is logged and counted.
        """
        try:
            self._retrying("batch")(self._handle, messages)
        except Exception:
            if self._stop.is_set():
                return False
            raise
        self._recovered()
        return True

    def _still_lagging(self, consumer: Any) -> bool:
        """Re-read the group's committed offsets (another instance may have moved them) and the lag again."""
        self._committed = {}
        self._observe_lag(consumer)
        return self.health.total_lag > 0

    def _observe_lag(self, consumer: Any) -> None:
        """Lag per assigned partition: its high watermark minus the offset this group committed there."""
        lag: dict[str, int] = {}
        try:
            assigned = consumer.assignment()
            for revoked in set(self._committed) - set(assigned):  # if it comes back, its offset is read anew
                del self._committed[revoked]
            for partition in assigned:
                highwater = consumer.highwater(partition)  # from the last fetch; None before the first
                if highwater is None:
                    continue
                if partition not in self._committed:
                    self._committed[partition] = consumer.committed(partition) or 0
                lag[f"{partition.topic}/{partition.partition}"] = max(0, highwater - self._committed[partition])
        except Exception:  # lag is an observation; failing to take it must not stop consuming
            log.debug("lag observation failed", exc_info=True)
            return
        self.health.lag = lag

    def process(self, record: Any) -> bool:
        """Handle one consumed record. Returns False when it must be retried (store unavailable)."""
        try:
            self._handle(self._decode_all([record]))
        except OperationalError as e:
            self.health.record_error("store unavailable", e)
            return False
        return True

    def handle_parked(self, record: Any) -> str | None:
        """Handle a dead-lettered record again (after a fix); return why it still fails, or None once handled.

        ``record`` must carry its original topic. A record that fails again is not parked a second time: it stays
        where it is, and the reason is returned. An event handled before (its id is in ``processed_events``) is a
        no-op, so re-driving twice never applies an event twice.
        """
        try:
            message = from_kafka_record(record)
        except InvalidEnvelope as e:
            return f"invalid envelope: {e}"
        refusal = self._refusal(message)
        if refusal is not None:
            return refusal
        try:
            handled = self._run_handlers([(record, message)], isolate=False)
        except HandlingRefused as e:
            cause = e.__cause__
            return f"handler failed: {type(cause).__name__}: {cause}"
        if handled and self.on_commit:
            self.on_commit()
        return None

    def _decode_all(self, records: list[Any]) -> list[tuple[Any, EventMessage]]:
        """Decode and validate records; those with a broken envelope or contract go to the dead-letter topic."""
        decoded = []
        for record in records:
            try:
                message = from_kafka_record(record)
            except InvalidEnvelope as e:
                self._dead_letter(record, f"invalid envelope: {e}")
                continue
            refusal = self._refusal(message)
            if refusal is not None:
                self._dead_letter(record, refusal)
                continue
            decoded.append((record, message))
        return decoded

    def _refusal(self, message: EventMessage) -> str | None:
        """Why an event must be parked before any handler runs (no handler; data breaking the contract), or None."""
        if message.type in self.ignored:
            return None
        if message.type not in self.handlers:
            # Parked at once rather than retried: no handler appears until the subscriber's code changes.
            return f"no handler: {self.group_id} neither handles nor ignores {message.type}"
        if self.validator is not None:
            try:
                self.validator(message)
            except ValueError as e:
                return f"contract violation: {e}"
        return None

    def _handle(self, messages: list[tuple[Any, EventMessage]]) -> None:
        """Run the handlers of new events and record them as processed, in one local transaction.

        The fast path runs every handler in one transaction. If a handler refuses its event, that transaction is
        rolled back and the events are run again one savepoint each, so only the refused event is dead-lettered.
        Raises when the transaction itself fails (the caller retries the same events).
        """
        try:
            handled = self._run_handlers(messages, isolate=False)
        except HandlingRefused:
            handled = self._run_handlers(messages, isolate=True)
        if handled and self.on_commit:
            self.on_commit()  # handlers may have written outbox rows: let the relay pick them up now

    def _run_handlers(self, messages: list[tuple[Any, EventMessage]], *, isolate: bool) -> int:
        handled = 0
        processed: list[dict[str, Any]] = []
        with Session(self.engine) as session, session.begin():
            seen = self._already_processed(session, [message.id for _record, message in messages])
            for record, message in messages:
                if message.id in seen:
                    continue
                seen.add(message.id)
                handler = self.handlers.get(message.type)
                if handler is not None:
                    if not isolate:
                        try:
                            handler(session, message)
                        except OperationalError:
                            raise
                        except Exception as e:
                            raise HandlingRefused() from e
                    else:
                        refusal = self._run_isolated(session, handler, message)
                        if refusal is not None:  # the handler refused the event: park it with the reason
                            self._dead_letter(record, f"handler failed: {refusal}")
                            continue
                    handled += 1
                processed.append(
                    {
                        "consumer_group": self.group_id,
                        "event_id": message.id,
                        "event_type": message.type,
                        "topic": message.topic,
                        "processed_at": datetime.now(UTC),
                    }
                )
            if handled and self.after_handlers is not None:
                self._after_handlers(session)
            if processed:
                session.execute(insert(self.tables.processed_events), processed)
        self.processed_total += len(processed)
        return handled

    def _run_isolated(self, session: Session, handler: EventHandler, message: EventMessage) -> str | None:
        """Run one handler in a savepoint; return why it refused the event, or None once it is applied.

        A unique violation is retried (:data:`CONFLICT_ATTEMPTS`): a concurrent writer's row is visible to the
        next attempt. A store error raises, so the caller retries the whole batch.
        """
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                with session.begin_nested():
                    handler(session, message)
                return None
            except OperationalError:
                raise
            except IntegrityError as e:
                if attempt == CONFLICT_ATTEMPTS:
                    return f"{type(e).__name__}: {e}"
                log.info("subscription %s: %s met a concurrent write (attempt %d), applying it again: %s",
                         self.group_id, message.id, attempt, e.orig)
            except Exception as e:
                return f"{type(e).__name__}: {e}"
        raise AssertionError("unreachable")  # the loop returns on its last attempt

    def _after_handlers(self, session: Session) -> None:
        """The declared step after the batch's handlers; if it fails, the whole batch is retried (it is no one
        event's fault)."""
        assert self.after_handlers is not None
        try:
            self.after_handlers(session)
        except OperationalError:
            raise
        except Exception as e:
            raise AfterHandlersFailed(f"{type(e).__name__}: {e}") from e

    def _already_processed(self, session: Session, event_ids: list[str]) -> set[str]:
        if not event_ids:
            return set()
        table = self.tables.processed_events
        found = session.execute(
            select(table.c.event_id).where(table.c.consumer_group == self.group_id, table.c.event_id.in_(event_ids))
        ).scalars()
        return set(found)

    def _dead_letter(self, record: Any, reason: str) -> None:
        log.warning("dead-lettering %s@%s/%s: %s", record.topic, record.partition, record.offset, reason)
        self.dead_letters.publish(record, reason=reason, consumer_group=self.group_id)
        self.dead_lettered_total += 1
        if self.on_dead_letter:
            self.on_dead_letter(reason)

