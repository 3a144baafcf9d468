"""Handling a batch of consumed records once: decode, refuse what cannot be handled, run handlers in one transaction.

Per batch: decode each record's CloudEvent and check its data (a broken one is parked on the dead-letter topic with
the reason), then in ONE local transaction run the handler of every event not yet in ``processed_events`` and
record them there. The subscription commits the Kafka offsets only after that transaction committed, so a crash in
between re-delivers events whose ids are already recorded: no handler runs twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage, InvalidEnvelope, KafkaRecordLike, from_kafka_record
from mesh_platform.store.platform_tables import PlatformTables
from mesh_platform.store.writer_turns import writer_turn

log = logging.getLogger(__name__)

EventHandler = Callable[[Session, EventMessage], None]
EventValidator = Callable[[EventMessage], None]

# A handler that reads a row, finds none and inserts it can meet a row another writer (the service's own HTTP
# lookup, another instance during a rebalance) committed in between: a unique violation that is no fault of the
# event. Run again in a fresh savepoint, the handler sees that row and updates it; only a violation that persists
# over these attempts parks the event.
CONFLICT_ATTEMPTS = 3


class ConsumedRecord(KafkaRecordLike, Protocol):
    """What a subscription reads of a kafka-python ``ConsumerRecord`` (or a parked record handed back)."""

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...


DecodedEvent = tuple[ConsumedRecord, EventMessage]


class HandlingFailed(Exception):
    """A handler refuses an event for good (it goes to the dead-letter topic with this reason)."""


class HandlingRefused(Exception):
    """Internal: a handler raised on the fast path; the batch is re-run one savepoint per event."""


class AfterHandlersFailed(Exception):
    """The step after a batch's handlers failed: the batch's transaction is rolled back and retried."""


@dataclass(frozen=True)
class BatchHandler:
    """Runs one consumer group's handlers over batches of records, each event once.

    ``handlers`` maps ``ce_type`` to a handler writing through the given session (it must not commit). Types in
    ``ignored`` are recorded as processed without a handler; any other type is parked ("no handler"), never
    silently dropped. ``after_handlers`` runs once per batch after every handler, in the same transaction.
    ``validator`` raises ``ValueError`` for data that breaks the contract. ``park`` sends a record to the
    dead-letter topic with its reason.
    """

    engine: Engine
    tables: PlatformTables
    group_id: str
    handlers: Mapping[str, EventHandler]
    ignored: frozenset[str]
    park: Callable[[ConsumedRecord, str], None]
    validator: EventValidator | None = None
    after_handlers: Callable[[Session], None] | None = None

    def decode(self, records: Iterable[ConsumedRecord]) -> list[DecodedEvent]:
        """Decode and check records; those with a broken envelope or contract are parked with the reason."""
        decoded = []
        for record in records:
            try:
                message = from_kafka_record(record)
            except InvalidEnvelope as e:
                self.park(record, f"invalid envelope: {e}")
                continue
            refusal = self.refusal(message)
            if refusal is not None:
                self.park(record, refusal)
                continue
            decoded.append((record, message))
        return decoded

    def refusal(self, message: EventMessage) -> str | None:
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

    def handle(self, events: Sequence[DecodedEvent]) -> tuple[int, int]:
        """Run the handlers of new events and record them as processed, in one local transaction.

        The fast path runs every handler in one transaction. If a handler refuses its event, that transaction is
        rolled back and the events are run again one savepoint each, so only the refused event is parked.
        Returns (events handled, events recorded as processed); raises when the transaction itself fails (the
        caller retries the same events).
        """
        try:
            return self.run(events, isolate=False)
        except HandlingRefused:
            return self.run(events, isolate=True)

    def run(self, events: Sequence[DecodedEvent], *, isolate: bool) -> tuple[int, int]:
        """One attempt at a batch: without ``isolate`` a handler's refusal raises :class:`HandlingRefused`; with it,
        each handler runs in its own savepoint and a refused event is parked."""
        handled = 0
        processed: list[dict[str, Any]] = []
        processed_at = datetime.now(UTC)  # one transaction, one time
        # SQLite: in the store's writer turn with the units of work and the relay (see writer_turns).
        with writer_turn(self.engine), Session(self.engine) as session, session.begin():
            seen = self._already_processed(session, [message.id for _record, message in events])
            for record, message in events:
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
                            self.park(record, f"handler failed: {refusal}")
                            continue
                    handled += 1
                processed.append({"consumer_group": self.group_id, "event_id": message.id,
                                  "event_type": message.type, "topic": message.topic, "processed_at": processed_at})
            if handled and self.after_handlers is not None:
                self._after_handlers(session, self.after_handlers)
            if processed:
                session.execute(insert(self.tables.processed_events), processed)
        return handled, len(processed)

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

    @staticmethod
    def _after_handlers(session: Session, step: Callable[[Session], None]) -> None:
        """The declared step after the batch's handlers; if it fails, the whole batch is retried (it is no one
        event's fault)."""
        try:
            step(session)
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
