"""Inspecting and re-driving a subscriber's dead-lettered events (``mesh dlq list|show|redrive <subscriber>``).

A parked event is a record of ``<group>.dlq``: the original key, value and CloudEvents headers plus ``dlq_*`` headers
saying why and from where. Re-driving hands each parked event back to the subscription (after the producer or the
handler was fixed): the subscription's ``processed_events`` make it idempotent, so an event already handled — by an
earlier re-drive, or because a later copy got through — is skipped, and re-driving twice never applies it twice.
Events that still fail stay parked, and the report says why.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from mesh_platform.subscriptions.dead_letter import dead_letter_topic
from mesh_platform.subscriptions.subscriber import Subscription


class ParkedEventNotFound(LookupError):
    """No parked event at that partition and offset."""


@dataclass(frozen=True)
class ParkedRecord:
    """A dead-lettered record as the subscription reads it again: with its original topic, partition and offset."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True)
class ParkedEvent:
    """One record of a dead-letter topic, described for people."""

    partition: int
    offset: int
    parked_at: datetime
    reason: str
    source_topic: str
    source_partition: int
    source_offset: int
    event_id: str | None
    event_type: str | None
    key: str | None
    handled: bool  # its event id is in processed_events: re-driven (or handled later) already
    data: Any = field(default=None, compare=False)

    def summary(self) -> dict[str, Any]:
        """The event without its data (for listings)."""
        return {name: value for name, value in self.as_dict().items() if name != "data"}

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "partition": self.partition,
            "offset": self.offset,
            "parked_at": self.parked_at.isoformat(),
            "reason": self.reason,
            "source": {"topic": self.source_topic, "partition": self.source_partition, "offset": self.source_offset},
            "event_id": self.event_id,
            "event_type": self.event_type,
            "key": self.key,
            "handled": self.handled,
            "data": self.data,
        }


@dataclass(frozen=True)
class RedriveReport:
    """What a re-drive did."""

    redriven: list[dict[str, Any]]
    still_failing: list[dict[str, Any]]
    already_handled: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"redriven": self.redriven, "still_failing": self.still_failing, "already_handled": self.already_handled}


ConsumerFactory = Callable[[], Any]
"""Builds a kafka-python ``KafkaConsumer`` without a group (``group_id=None``), connected as the service."""


class ParkedEvents:
    """The dead-letter topic of one subscription: list, show and re-drive its records."""

    def __init__(self, subscription: Subscription, consumer_factory: ConsumerFactory) -> None:
        self.subscription = subscription
        self.consumer_factory = consumer_factory
        self.topic = dead_letter_topic(subscription.group_id)

    def list(self) -> builtins.list[ParkedEvent]:
        """Every parked event, oldest first, marked ``handled`` once its event id was processed."""
        records = self._records()
        handled = self._handled_ids([_header(record, "ce_id") for record in records])
        return [self._describe(record, handled) for record in records]

    def show(self, partition: int, offset: int) -> ParkedEvent:
        """One parked event with its data; raises :class:`ParkedEventNotFound`."""
        for event in self.list():
            if (event.partition, event.offset) == (partition, offset):
                return event
        raise ParkedEventNotFound(f"{self.topic} has no record at partition {partition}, offset {offset}")

    def redrive(self) -> RedriveReport:
        """Hand every parked, not yet handled event back to the subscription, oldest first."""
        records = self._records()
        handled = self._handled_ids([_header(record, "ce_id") for record in records])
        redriven, still_failing, already = [], [], 0
        for record in records:
            event = self._describe(record, handled)
            if event.handled:
                already += 1
                continue
            reason = self.subscription.handle_parked(_as_original(record))
            where = {"partition": event.partition, "offset": event.offset, "event_id": event.event_id}
            if reason is None:
                redriven.append(where)
                if event.event_id:
                    handled.add(event.event_id)  # a second parked copy of the same event is not applied again
            else:
                still_failing.append({**where, "reason": reason})
        return RedriveReport(redriven, still_failing, already)

    def _records(self) -> builtins.list[Any]:
        """Every record of the dead-letter topic up to its current end, in the order they were parked."""
        return sorted(self._read_partitions(), key=lambda record: (record.timestamp, record.partition, record.offset))

    def _read_partitions(self) -> Iterator[Any]:
        from kafka import TopicPartition

        consumer = self.consumer_factory()
        try:
            partitions = consumer.partitions_for_topic(self.topic) or set()
            assigned = [TopicPartition(self.topic, partition) for partition in sorted(partitions)]
            if not assigned:
                return
            consumer.assign(assigned)
            consumer.seek_to_beginning(*assigned)
            ends = consumer.end_offsets(assigned)
            remaining = {tp for tp in assigned if ends[tp] > consumer.position(tp)}
            while remaining:
                for tp, batch in consumer.poll(timeout_ms=1000).items():
                    yield from (record for record in batch if record.offset < ends[tp])
                remaining = {tp for tp in remaining if consumer.position(tp) < ends[tp]}
        finally:
            consumer.close()

    def _handled_ids(self, event_ids: builtins.list[str | None]) -> set[str]:
        ids = [event_id for event_id in event_ids if event_id]
        if not ids:
            return set()
        table = self.subscription.tables.processed_events
        with self.subscription.engine.connect() as connection:
            found = connection.execute(
                select(table.c.event_id).where(
                    table.c.consumer_group == self.subscription.group_id, table.c.event_id.in_(ids)
                )
            ).scalars()
            return set(found)

    def _describe(self, record: Any, handled: set[str]) -> ParkedEvent:
        event_id = _header(record, "ce_id")
        return ParkedEvent(
            partition=record.partition,
            offset=record.offset,
            parked_at=datetime.fromtimestamp(record.timestamp / 1000, UTC),
            reason=_header(record, "dlq_reason") or "",
            source_topic=_header(record, "dlq_source_topic") or "",
            source_partition=int(_header(record, "dlq_source_partition") or -1),
            source_offset=int(_header(record, "dlq_source_offset") or -1),
            event_id=event_id,
            event_type=_header(record, "ce_type"),
            key=record.key.decode(errors="replace") if record.key else None,
            handled=event_id in handled,
            data=_data(record.value),
        )


def _header(record: Any, name: str) -> str | None:
    for header, value in record.headers or []:
        if header == name:
            result: str | None = value.decode(errors="replace")
            return result
    return None


def _data(value: bytes | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value.decode(errors="replace")  # a poison record that is not JSON is shown as it is


def _as_original(record: Any) -> ParkedRecord:
    """The parked record as it was first consumed: its source topic, partition and offset."""
    return ParkedRecord(
        topic=_header(record, "dlq_source_topic") or record.topic,
        partition=int(_header(record, "dlq_source_partition") or record.partition),
        offset=int(_header(record, "dlq_source_offset") or record.offset),
        key=record.key,
        value=record.value,
        headers=list(record.headers or []),
    )
