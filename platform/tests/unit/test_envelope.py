from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from mesh_platform.events import EventFactory, InvalidEnvelope, from_kafka_record, to_kafka_message
from mesh_platform.events.envelope import kafka_headers


@dataclass
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def registered_event():
    factory = EventFactory("roster", "http://catalog:8000/")
    return factory.create(
        product="fighters", major=1, entity="fighter", verb="registered", key="f-1", data={"fighter_id": "f-1"}
    )


def test_event_follows_the_mesh_naming_conventions():
    event = registered_event()
    assert event.topic == "roster.fighters.v1"
    assert event.type == "octagon.roster.fighter.registered.v1"
    assert event.source == "/domains/roster"
    assert event.dataschema == "http://catalog:8000/api/v1/data-products/roster/fighters/v1/contract"


def test_binary_mode_carries_attributes_as_ce_headers_and_data_as_value():
    event = registered_event()
    message = to_kafka_message(event)
    headers = dict(kafka_headers(message))
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == event.id.encode()
    assert headers["ce_type"] == b"octagon.roster.fighter.registered.v1"
    assert headers["ce_source"] == b"/domains/roster"
    assert headers["content-type"] == b"application/json"
    assert headers["ce_dataschema"] == event.dataschema.encode()
    assert "ce_time" in headers
    assert message.key == "f-1"
    assert message.value == b'{"fighter_id": "f-1"}'


def test_a_consumed_record_decodes_to_the_event_that_was_sent():
    event = registered_event()
    message = to_kafka_message(event)
    record = Record(event.topic, b"f-1", message.value, kafka_headers(message))
    decoded = from_kafka_record(record)
    assert (decoded.id, decoded.type, decoded.key, decoded.data) == (event.id, event.type, "f-1", event.data)
    assert decoded.time == event.time.astimezone(UTC)


def test_record_without_cloudevents_headers_is_rejected_naming_them():
    with pytest.raises(InvalidEnvelope, match="ce_id, ce_source, ce_type"):
        from_kafka_record(Record("t", b"k", b"{}", [("ce_specversion", b"1.0")]))


def test_record_whose_value_is_not_json_is_rejected():
    message = to_kafka_message(registered_event())
    with pytest.raises(InvalidEnvelope, match="not JSON"):
        from_kafka_record(Record("t", b"k", b"{broken", kafka_headers(message)))


def test_record_whose_data_is_not_an_object_is_rejected():
    message = to_kafka_message(registered_event())
    with pytest.raises(InvalidEnvelope, match="JSON object"):
        from_kafka_record(Record("t", b"k", b"[1, 2]", kafka_headers(message)))


def test_event_time_is_utc_now():
    event = registered_event()
    assert abs((datetime.now(UTC) - event.time).total_seconds()) < 5
