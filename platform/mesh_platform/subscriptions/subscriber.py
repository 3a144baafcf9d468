"""A subscription: consume a topic, handle each event once, dead-letter what cannot be handled.

Per record: decode the CloudEvent, validate its data, then in ONE local transaction run the handler and record the
event id in ``processed_events``; only after that commit is the Kafka offset committed. A crash between the two
re-delivers the record, and the processed-event row turns the redelivery into a no-op.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage, InvalidEnvelope, from_kafka_record
from mesh_platform.store.platform_tables import PlatformTables
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher

log = logging.getLogger(__name__)

EventHandler = Callable[[Session, EventMessage], None]
EventValidator = Callable[[EventMessage], None]


class HandlingFailed(Exception):
    """A handler refuses an event for good (it goes to the dead-letter topic with this reason)."""


class HandlingRefused(Exception):
    """Internal: a handler raised on the fast path; the batch is re-run one savepoint per event."""


class Subscription:
    """Consumes ``topics`` as consumer group ``group_id`` and dispatches events by CloudEvents type.

    ``handlers`` maps ``ce_type`` to a handler that writes to the subscriber's own store through the given session
    (it must not commit). Types without a handler are recorded as processed and skipped, so a producer may add event
    types without breaking subscribers. ``validator`` raises ``ValueError`` for data that breaks the contract.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        tables: PlatformTables,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, EventHandler],
        bootstrap_servers: str,
        dead_letters: DeadLetterPublisher,
        validator: EventValidator | None = None,
        consumer_factory: Callable[[], Any] | None = None,
        poll_timeout_ms: int = 500,
        on_commit: Callable[[], None] | None = None,
        on_dead_letter: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.group_id = group_id
        self.topics = topics
        self.handlers = dict(handlers)
        self.bootstrap_servers = bootstrap_servers
        self.dead_letters = dead_letters
        self.validator = validator
        self.consumer_factory = consumer_factory or self._kafka_consumer
        self.poll_timeout_ms = poll_timeout_ms
        self.on_commit = on_commit
        self.on_dead_letter = on_dead_letter
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed_total = 0
        self.dead_lettered_total = 0
        self.last_error: str | None = None

    def _kafka_consumer(self) -> Any:
        from kafka import KafkaConsumer

        return KafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            # A new subscriber starts from the beginning of the product's history.
            auto_offset_reset="earliest",
            max_poll_records=500,
            bootstrap_timeout_ms=5_000,
        )

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

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                consumer = self.consumer_factory()
            except Exception as e:  # broker down at start: wait and retry, nothing is lost
                self.last_error = f"{type(e).__name__}: {e}"
                log.warning("subscription %s cannot reach the broker: %s", self.group_id, self.last_error)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            try:
                self._consume(consumer)
            except Exception as e:
                self.last_error = f"{type(e).__name__}: {e}"
                log.warning("subscription %s failed, reconnecting: %s", self.group_id, self.last_error)
                self._stop.wait(1.0)
            finally:
                try:
                    consumer.close()
                except Exception:  # a broken consumer must not stop the loop
                    log.debug("closing consumer failed", exc_info=True)

    def _consume(self, consumer: Any) -> None:
        from kafka import OffsetAndMetadata, TopicPartition

        while not self._stop.is_set():
            batches = consumer.poll(timeout_ms=self.poll_timeout_ms)
            if not batches:
                continue
            records = [record for partition_records in batches.values() for record in partition_records]
            messages = self._decode_all(records)
            while not self._handle(messages):
                # A transient store failure: retry the same events instead of skipping them.
                if self._stop.wait(1.0):
                    return
            # Offsets are committed after the events' local transaction committed: a crash in between re-delivers
            # events whose ids are already in processed_events, so no handler runs twice.
            consumer.commit(
                {
                    TopicPartition(partition.topic, partition.partition): OffsetAndMetadata(
                        partition_records[-1].offset + 1, "", -1
                    )
                    for partition, partition_records in batches.items()
                }
            )

    def process(self, record: Any) -> bool:
        """Handle one consumed record. Returns False when it must be retried (store unavailable)."""
        return self._handle(self._decode_all([record]))

    def _decode_all(self, records: list[Any]) -> list[tuple[Any, EventMessage]]:
        """Decode and validate records; those with a broken envelope or contract go to the dead-letter topic."""
        decoded = []
        for record in records:
            try:
                message = from_kafka_record(record)
            except InvalidEnvelope as e:
                self._dead_letter(record, f"invalid envelope: {e}")
                continue
            if self.validator is not None and message.type in self.handlers:
                try:
                    self.validator(message)
                except ValueError as e:
                    self._dead_letter(record, f"contract violation: {e}")
                    continue
            decoded.append((record, message))
        return decoded

    def _handle(self, messages: list[tuple[Any, EventMessage]]) -> bool:
        """Run the handlers of new events and record them as processed, in one local transaction.

        The fast path runs every handler in one transaction. If a handler refuses its event, that transaction is
        rolled back and the events are run again one savepoint each, so only the refused event is dead-lettered.
        Returns False when the store is unavailable and the events must be retried.
        """
        try:
            try:
                handled = self._run_handlers(messages, isolate=False)
            except HandlingRefused:
                handled = self._run_handlers(messages, isolate=True)
        except OperationalError as e:
            self.last_error = f"store unavailable: {e}"
            return False
        if handled and self.on_commit:
            self.on_commit()  # handlers may have written outbox rows: let the relay pick them up now
        return True

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
                        try:
                            with session.begin_nested():
                                handler(session, message)
                        except OperationalError:
                            raise
                        except Exception as e:  # the handler refused the event: park it with the reason
                            self._dead_letter(record, f"handler failed: {type(e).__name__}: {e}")
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
            if processed:
                session.execute(insert(self.tables.processed_events), processed)
        self.processed_total += len(processed)
        return handled

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
