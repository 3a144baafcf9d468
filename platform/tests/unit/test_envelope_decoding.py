"""Consumed records decode the same whether they carry only the mesh's own headers or anything else."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from mesh_platform.events import EventFactory, InvalidEnvelope, from_kafka_record, to_kafka_message
from mesh_platform.events.envelope import kafka_headers


@dataclass
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def sent_record(**header_changes: bytes | None) -> Record:
    event = EventFactory("roster", "http://catalog:8000/").create(
        product="fighters", major=1, entity="fighter", verb="registered", key="f-1", data={"fighter_id": "f-1"})
    message = to_kafka_message(event)
    headers = dict(kafka_headers(message))
    for name, value in header_changes.items():
        name = name.replace("_", "-") if name == "content_type" else name
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return Record(event.topic, b"f-1", message.value, list(headers.items()))


def test_a_record_of_the_mesh_decodes_to_its_attributes_with_a_timezone_aware_time():
    record = sent_record(ce_time=b"2026-05-01T12:00:00.5+02:00")
    event = from_kafka_record(record)
    assert event.time == datetime(2026, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    assert event.time.utcoffset() == timedelta(hours=2)
    assert (event.type, event.source, event.key, event.data) == (
        "octagon.roster.fighter.registered.v1", "/domains/roster", "f-1", {"fighter_id": "f-1"})
    assert event.dataschema == "http://catalog:8000/api/v1/data-products/roster/fighters/v1/contract"


def test_utc_written_as_z_decodes_as_utc():
    assert from_kafka_record(sent_record(ce_time=b"2026-05-01T10:00:00Z")).time == datetime(
        2026, 5, 1, 10, tzinfo=UTC)


def test_a_record_with_other_cloudevents_attributes_still_decodes():
    event = from_kafka_record(sent_record(ce_subject=b"fighter f-1", ce_traceparent=b"00-abc-def-01"))
    assert event.type == "octagon.roster.fighter.registered.v1"


@pytest.mark.parametrize("changes", [
    {"ce_id": b""}, {"ce_source": b""}, {"ce_type": b""}, {"ce_time": b"2026-05-01T10:00:00"},
    {"ce_time": b"yesterday"}, {"ce_time": b"\xff"}, {"ce_dataschema": b""}, {"content_type": b""},
])
def test_a_record_with_an_empty_or_malformed_attribute_is_rejected(changes):
    with pytest.raises(InvalidEnvelope, match="malformed CloudEvents attributes"):
        from_kafka_record(sent_record(**changes))

