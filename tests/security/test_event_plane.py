"""Attacks on the event plane with a plain kafka-python client against the real broker (SASL/SCRAM + ACLs).

Each domain connects as its own principal with the password the session generated for it; the ACLs are the ones
provisioning derived from the contracts and the domains' declared subscriptions.
"""

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern, ResourceType
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    KafkaTimeoutError,
    TopicAuthorizationFailedError,
)

from mesh_platform.events import EventFactory
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.outbox import OutboxWriter
from mesh_platform.outbox.relay import OutboxRelay, kafka_producer_factory
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_store
from mesh_platform.subscriptions.replay import BrokerUnreachable, KafkaGroupRewinder
from roster.adapters.tables import PLATFORM_TABLES
from roster.adapters.unit_of_work import SqlRosterUnitOfWork
from roster.app import MIGRATIONS
from roster.domain.model import FighterProfile, Stance, WeightClass
from roster.service import handlers

pytestmark = pytest.mark.integration

FIGHTERS = "roster.fighters.v1"
UNREACHABLE = KafkaTimeoutError  # kafka-python's answer when no broker accepts the connection


def producer_as(settings, **options) -> KafkaProducer:
    return KafkaProducer(**kafka_client_kwargs(settings), max_block_ms=5000, **options)


def forged_event(fighter_id: str) -> dict:
    return {
        "value": json.dumps({"fighter_id": fighter_id, "name": "Forged", "status": "retired"}).encode(),
        "key": fighter_id.encode(),
        "headers": [("ce_specversion", b"1.0"), ("ce_id", str(uuid.uuid4()).encode()),
                    ("ce_source", b"/domains/roster"), ("ce_type", b"octagon.roster.fighter.retired.v1")],
    }


def records_of(settings, topic: str, key: bytes, timeout_ms: int = 15000) -> list:
    consumer = KafkaConsumer(topic, **kafka_client_kwargs(settings), group_id=None, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=timeout_ms)
    try:
        found = []
        for record in consumer:
            if record.key == key:
                found.append(record)
                break
        return found
    finally:
        consumer.close()


def test_a_client_without_sasl_is_refused(kafka_event_plane):
    with pytest.raises(UNREACHABLE):
        KafkaProducer(bootstrap_servers=kafka_event_plane.bootstrap_servers, security_protocol="PLAINTEXT",
                      bootstrap_timeout_ms=5000)
    with pytest.raises(UNREACHABLE):
        KafkaAdminClient(bootstrap_servers=kafka_event_plane.bootstrap_servers, security_protocol="PLAINTEXT",
                         bootstrap_timeout_ms=5000)


def test_a_wrong_password_is_refused(kafka_event_plane):
    impostor = kafka_event_plane.principal("roster").for_principal("roster", "guessed-password")
    with pytest.raises(UNREACHABLE):
        KafkaProducer(**kafka_client_kwargs(impostor), bootstrap_timeout_ms=5000)


def test_a_domain_writes_its_own_topic(kafka_event_plane):
    producer = producer_as(kafka_event_plane.principal("roster"))
    try:
        fighter_id = str(uuid.uuid4())
        metadata = producer.send(FIGHTERS, **forged_event(fighter_id)).get(10)
    finally:
        producer.close()
    assert metadata.topic == FIGHTERS  # the control: ACLs let the owner publish


@pytest.mark.parametrize("attacker", ["stats", "schedule", "results"])
def test_no_other_domain_can_forge_an_event_on_rosters_topic(kafka_event_plane, attacker):
    fighter_id = str(uuid.uuid4())
    producer = producer_as(kafka_event_plane.principal(attacker))
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(FIGHTERS, **forged_event(fighter_id)).get(10)
    finally:
        producer.close(timeout=2)

    assert records_of(kafka_event_plane.admin, FIGHTERS, fighter_id.encode(), timeout_ms=3000) == []


def test_a_domain_cannot_write_another_subscribers_dead_letter_topic(kafka_event_plane):
    producer = producer_as(kafka_event_plane.principal("stats"))
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send("schedule.dlq", value=b"{}").get(10)
    finally:
        producer.close(timeout=2)


def test_a_domain_cannot_create_topics_or_grant_itself_access(kafka_event_plane):
    with KafkaAdminClient(**kafka_client_kwargs(kafka_event_plane.principal("stats"))) as admin:
        with pytest.raises(KafkaError):
            admin.create_topics({"roster.fighters.v2": {"num_partitions": 1, "replication_factor": 1}})
        grant = ACL("User:stats", "*", ACLOperation.WRITE, ACLPermissionType.ALLOW,
                    ResourcePattern(ResourceType.TOPIC, FIGHTERS, ACLResourcePatternType.LITERAL))
        result = admin.create_acls([grant])
    assert result["succeeded"] == [] and len(result["failed"]) == 1
    with KafkaAdminClient(**kafka_client_kwargs(kafka_event_plane.admin)) as admin:
        assert "roster.fighters.v2" not in admin.list_topics()


def test_a_principal_without_the_grant_cannot_read_a_product_topic(kafka_event_plane):
    fighter_id = str(uuid.uuid4())
    producer = producer_as(kafka_event_plane.principal("roster"))
    producer.send(FIGHTERS, **forged_event(fighter_id)).get(10)
    producer.close()

    # results subscribes to schedule's bouts only; it was granted nothing of roster's. Neither as a group member
    # nor by assigning partitions itself does it get a record (the broker answers TOPIC_AUTHORIZATION_FAILED).
    results = kafka_event_plane.principal("results")
    as_member = KafkaConsumer(FIGHTERS, **kafka_client_kwargs(results), group_id="results",
                              auto_offset_reset="earliest", enable_auto_commit=False)
    by_hand = KafkaConsumer(**kafka_client_kwargs(results), group_id=None, enable_auto_commit=False)
    by_hand.assign([TopicPartition(FIGHTERS, partition) for partition in range(3)])
    by_hand.seek_to_beginning()
    received = []
    try:
        for _ in range(16):
            for consumer in (as_member, by_hand):
                try:
                    received += [r for batch in consumer.poll(timeout_ms=250).values() for r in batch]
                except TopicAuthorizationFailedError:
                    pass  # the refusal surfaced as an error instead of an empty fetch: nothing was read either way
        member_partitions = as_member.assignment()
    finally:
        as_member.close()
        by_hand.close()
    assert received == []
    assert member_partitions == set()


def read_by_assignment(settings, topic: str, partitions: int, polls: int = 12) -> list:
    consumer = KafkaConsumer(**kafka_client_kwargs(settings), group_id=None, enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, partition) for partition in range(partitions)])
    consumer.seek_to_beginning()
    received = []
    try:
        for _ in range(polls):
            try:
                received += [r for batch in consumer.poll(timeout_ms=250).values() for r in batch]
            except TopicAuthorizationFailedError:
                pass  # refused outright: nothing read
    finally:
        consumer.close()
    return received


def test_parked_events_are_readable_by_their_subscriber_only(kafka_event_plane):
    producer = producer_as(kafka_event_plane.principal("schedule"))
    parked_id = str(uuid.uuid4()).encode()
    producer.send("schedule.dlq", key=parked_id, value=b"{}", headers=[("dlq_reason", b"test")]).get(10)
    producer.close()

    assert read_by_assignment(kafka_event_plane.principal("stats"), "schedule.dlq", 1) == []
    assert parked_id in [r.key for r in read_by_assignment(kafka_event_plane.principal("schedule"), "schedule.dlq", 1)]


def test_a_granted_subscriber_reads_the_topic_in_its_own_group(kafka_event_plane):
    producer = producer_as(kafka_event_plane.principal("roster"))
    fighter_id = str(uuid.uuid4())
    producer.send(FIGHTERS, **forged_event(fighter_id)).get(10)
    producer.close()

    consumer = KafkaConsumer(FIGHTERS, **kafka_client_kwargs(kafka_event_plane.principal("stats")), group_id="stats",
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=15000)
    try:
        keys = [record.key for record in consumer if record.key == fighter_id.encode()][:1]
    finally:
        consumer.close()
    assert keys == [fighter_id.encode()]


def test_a_principal_cannot_join_another_domains_consumer_group(kafka_event_plane):
    # stats may read roster's fighters, but only as group "stats": joining "schedule" would steal its partitions.
    consumer = KafkaConsumer(FIGHTERS, **kafka_client_kwargs(kafka_event_plane.principal("stats")),
                             group_id="schedule", auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            for _ in range(20):
                consumer.poll(timeout_ms=500)
    finally:
        consumer.close()


def test_personal_data_never_appears_on_the_public_topic(kafka_event_plane, tmp_path):
    # Roster's own publishing path: the command's unit of work writes the outbox, the relay publishes as roster.
    engine = create_store_engine(f"sqlite:///{tmp_path / 'roster.db'}")
    upgrade_store(engine, MIGRATIONS)
    profile = FighterProfile(name="Amanda Silva", date_of_birth=date(1994, 3, 2), nationality="BR",
                             weight_class=WeightClass("lightweight"), stance=Stance("orthodox"), height_cm=170,
                             reach_cm=175)
    with SqlRosterUnitOfWork(engine, OutboxWriter(PLATFORM_TABLES.outbox),
                             EventFactory("roster", "http://127.0.0.1:8000")) as uow:
        fighter = handlers.register_fighter(profile, uow, datetime.now(UTC))
        uow.commit()
    relay = OutboxRelay(engine, PLATFORM_TABLES.outbox,
                        kafka_producer_factory(kafka_event_plane.principal("roster"), "roster-security-test"))
    try:
        assert relay.relay_once() == 1
    finally:
        relay.stop()
        engine.dispose()

    [record] = records_of(kafka_event_plane.principal("stats"), FIGHTERS, fighter.fighter_id.encode())

    data = json.loads(record.value)
    assert data["fighter_id"] == fighter.fighter_id and data["name"] == "Amanda Silva"
    assert "date_of_birth" not in data
    assert b"1994-03-02" not in record.value and b"1994-03-02" not in b"".join(v for _, v in record.headers)


def test_a_domain_can_rewind_only_its_own_consumer_group(kafka_event_plane):
    stats = kafka_event_plane.principal("stats")

    KafkaGroupRewinder(stats).rewind(["stats"])  # mesh replay stats, as stats: allowed

    with pytest.raises(BrokerUnreachable, match="GroupAuthorizationFailed"):
        KafkaGroupRewinder(stats).rewind(["schedule"])
