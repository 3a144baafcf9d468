"""The relay sends an outbox row as exactly the record the envelope would make of its event."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import MetaData, create_engine, insert, select

from mesh_platform.events import EventFactory, from_kafka_record, to_kafka_message
from mesh_platform.events.envelope import EventMessage
from mesh_platform.outbox.encoding import outbox_record, payload_json_column
from mesh_platform.store.platform_tables import define_platform_tables


@dataclass
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def stored_row(message: EventMessage, occurred_at: datetime):
    """``message`` written to a SQLite outbox and read back the way the relay claims it."""
    metadata = MetaData()
    outbox = define_platform_tables(metadata).outbox
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(outbox).values(
            event_id=message.id, topic=message.topic, message_key=message.key, event_type=message.type,
            source=message.source, dataschema=message.dataschema, occurred_at=occurred_at, payload=message.data,
            attempts=0,
        ))
        return connection.execute(select(outbox, payload_json_column(outbox))).one()


@pytest.mark.parametrize("dataschema", ["http://catalog:8000/api/v1/data-products/roster/fighters/v1/contract", None])
def test_an_outbox_row_is_sent_with_the_headers_and_data_of_its_event(dataschema):
    factory = EventFactory("roster", "http://catalog:8000/")
    event = factory.create(product="fighters", major=1, entity="fighter", verb="registered", key="f-1",
                           data={"fighter_id": "f-1", "name": "Zoë Ødegård", "weight": 70.5, "tags": ["a"]})
    event = EventMessage(**{**event.__dict__, "dataschema": dataschema})
    row = stored_row(event, event.time.replace(tzinfo=None))  # SQLite hands back naive UTC

    sent = outbox_record(row)
    expected = to_kafka_message(event)

    assert sent.headers == expected.headers
    assert sent.key == expected.key == "f-1"
    assert json.loads(sent.value) == json.loads(expected.value) == event.data
    decoded = from_kafka_record(Record(event.topic, b"f-1", sent.value, list(sent.headers.items())))
    assert (decoded.id, decoded.type, decoded.source, decoded.time, decoded.data) == (
        event.id, event.type, event.source, event.time, event.data)


def test_a_time_with_an_offset_keeps_it_and_utc_is_written_as_z():
    factory = EventFactory("roster", "http://catalog:8000/")
    event = factory.create(product="fighters", major=1, entity="fighter", verb="registered", key="f-1", data={})
    plus_two = datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    row = stored_row(event, plus_two)
    aware = type("Row", (), {**row._asdict(), "occurred_at": plus_two})()
    assert outbox_record(aware).headers["ce_time"] == to_kafka_message(
        EventMessage(**{**event.__dict__, "time": plus_two})).headers["ce_time"] == b"2026-05-01T12:00:00.123456+02:00"
    utc = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    aware_utc = type("Row", (), {**row._asdict(), "occurred_at": utc})()
    assert outbox_record(aware_utc).headers["ce_time"] == b"2026-05-01T10:00:00Z"
