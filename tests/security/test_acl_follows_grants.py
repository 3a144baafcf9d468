"""Kafka read ACLs follow the catalog's grants: against the real SASL broker (StandardAuthorizer) and a real catalog
served over HTTP, with the reconciler as ``mesh up`` runs it (admin credentials next to the broker, the grants read
with its own ``admin:catalog`` client) and a plain kafka-python consumer of the principal.

Approve → the principal reads; revoke → refused within seconds; an ACL added by hand without a grant is removed;
each change is in the event plane's audit log. The catalog also holds the grants of every declared subscription
(as ``mesh up``'s approvals give them), so reconciling the whole cluster leaves the domains' access as it was.
"""

import time
import uuid

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourceType,
    UserScramCredentialUpsertion,
)
from kafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError

from mesh_platform.auth import ClientCredentials
from mesh_platform.auth.scopes import read_scope
from mesh_platform.contracts import ContractRegistry
from mesh_platform.kafka.client import SCRAM_MECHANISM, kafka_client_kwargs
from mesh_tools.event_plane.acls import AclAdmin
from mesh_tools.launcher.acl_sync import audit_log_path, build_reconciler, start_reconciler

pytestmark = pytest.mark.integration

FIGHTERS = "roster.fighters.v1"
RECONCILER = "event-plane"
WITHIN_SECONDS = 15


class World:
    """The broker, the catalog, two fresh principals (SCRAM users with catalog clients of the same name)."""

    def __init__(self, event_plane, catalog, passwords: dict[str, str], analytics: str, intruder: str,
                 run_dir) -> None:
        self.event_plane, self.catalog, self.passwords = event_plane, catalog, passwords
        self.analytics, self.intruder, self.run_dir = analytics, intruder, run_dir
        self.reconciler = None

    def auth(self, client_id: str) -> ClientCredentials:
        return self.catalog.auth(client_id)

    def kafka(self, principal: str):
        return self.event_plane.admin.for_principal(principal, self.passwords[principal])

    def audit_lines(self) -> list[str]:
        path = audit_log_path(self.run_dir)
        return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def world(kafka_event_plane, serve_catalog, tmp_path):
    plane = kafka_event_plane.plane
    suffix = uuid.uuid4().hex[:6]
    analytics, intruder = f"analytics-{suffix}", f"intruder-{suffix}"
    passwords = {name: uuid.uuid4().hex for name in (analytics, intruder)}
    with KafkaAdminClient(**kafka_client_kwargs(kafka_event_plane.admin)) as admin:
        admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(name, SCRAM_MECHANISM, password) for name, password in passwords.items()])
    # Each domain's client holds the reads its subscriptions declare, as mesh up's approvals leave them.
    declared: dict[str, list[str]] = {}
    for grant in plane.grants:
        declared.setdefault(grant.principal, []).append(read_scope(grant.domain, grant.product, grant.major))
    clients = [{"client_id": p, "secret": f"{p}-secret-{uuid.uuid4().hex}", "domain": p, "scopes": declared.get(p, [])}
               for p in plane.principals]
    clients += [{"client_id": analytics, "secret": uuid.uuid4().hex * 2, "owner": "analytics team"},
                {"client_id": intruder, "secret": uuid.uuid4().hex * 2, "owner": "nobody"},
                {"client_id": RECONCILER, "secret": uuid.uuid4().hex * 2, "owner": "ops", "scopes": ["admin:catalog"]}]
    catalog = serve_catalog(clients)
    running = World(kafka_event_plane, catalog, passwords, analytics, intruder, tmp_path)
    reconciler = start_reconciler(*build_reconciler(plane, kafka_event_plane.admin, catalog.url,
                                                    running.auth(RECONCILER), tmp_path), interval=0.5)
    running.reconciler = reconciler.reconciler
    try:
        yield running
    finally:
        reconciler.stop()
        with KafkaAdminClient(**kafka_client_kwargs(kafka_event_plane.admin)) as admin:
            acl_admin = AclAdmin(admin)
            acl_admin.delete([acl for name in (analytics, intruder) for acl in acl_admin.bindings(name)])
            acl_admin.apply_plane(plane)  # whatever happened here, the session's other tests find the plane's ACLs


def publish_fighter_event(world) -> bytes:
    key = str(uuid.uuid4()).encode()
    producer = KafkaProducer(**kafka_client_kwargs(world.event_plane.principal("roster")), max_block_ms=10000)
    try:
        producer.send(FIGHTERS, key=key, value=b'{"fighter_id": "x"}', headers=[("ce_id", key)]).get(10)
    finally:
        producer.close()
    return key


def assigned_consumer(settings) -> KafkaConsumer:
    consumer = KafkaConsumer(**kafka_client_kwargs(settings), group_id=None, enable_auto_commit=False)
    consumer.assign([TopicPartition(FIGHTERS, partition) for partition in range(3)])
    consumer.seek_to_beginning()
    return consumer


def group_member(world) -> KafkaConsumer:
    """The analytics principal's consumer in its own group, reading roster's fighters from the beginning."""
    return KafkaConsumer(FIGHTERS, **kafka_client_kwargs(world.kafka(world.analytics)), group_id=world.analytics,
                         auto_offset_reset="earliest", enable_auto_commit=False)


def poll_until(consumer: KafkaConsumer, key: bytes, seconds: float) -> str:
    """``"read"`` once ``key`` arrives, ``"refused"`` when the broker refuses the topic (or the principal's group,
    whose ACL goes with the last grant), ``"nothing"`` at the deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            batches = consumer.poll(timeout_ms=300)
        except (TopicAuthorizationFailedError, GroupAuthorizationFailedError):
            return "refused"
        if any(record.key == key for batch in batches.values() for record in batch):
            return "read"
    return "nothing"


def refused_within(consumer: KafkaConsumer, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            consumer.poll(timeout_ms=300)
        except (TopicAuthorizationFailedError, GroupAuthorizationFailedError):
            return True
    return False


def register_fighters_and_request(world) -> int:
    contract = ContractRegistry.from_directory().get("roster", "fighters", 1)
    registered = httpx.post(f"{world.catalog.url}/api/v1/data-products", auth=world.auth("roster"),
                            json={"contract": contract.document})
    assert registered.status_code in (200, 201), registered.text
    filed = httpx.post(f"{world.catalog.url}/api/v1/access-requests", auth=world.auth(world.analytics), json={
        "domain": "roster", "product": "fighters", "major": 1, "purpose": "fight-night dashboards"})
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


def test_an_approved_grant_lets_the_principal_read_and_its_revocation_refuses_it_within_seconds(world):
    key = publish_fighter_event(world)
    request_id = register_fighters_and_request(world)
    waiting = assigned_consumer(world.kafka(world.analytics))
    try:
        assert poll_until(waiting, key, 3) in ("refused", "nothing")  # requested is not granted
    finally:
        waiting.close()

    approved = httpx.post(f"{world.catalog.url}/api/v1/access-requests/{request_id}/approve",
                          auth=world.auth("roster"), json={"reason": "dashboards agreement"})
    assert approved.status_code == 200, approved.text
    member = group_member(world)
    try:
        deadline = time.monotonic() + 2 * WITHIN_SECONDS  # a group's first join is slow on a busy machine
        outcomes = ["nothing"]
        while outcomes[-1] != "read" and time.monotonic() < deadline:
            outcomes.append(poll_until(member, key, 1))  # refused until the reconciler's next round, then read
            if outcomes[-1] == "refused":
                # As a client does after an authorization error, start over: a kafka-python consumer refused again
                # and again marks its coordinator dead and rejoins ever later, which would time the library.
                member.close()
                member = group_member(world)
        assert outcomes[-1] == "read", (outcomes, world.audit_lines(), world.reconciler.last_error)

        grant = next(g for g in httpx.get(f"{world.catalog.url}/api/v1/grants", auth=world.auth("roster")).json()
                     if g["client_id"] == world.analytics)
        revoked = httpx.post(f"{world.catalog.url}/api/v1/grants/{grant['id']}/revoke", auth=world.auth("roster"),
                             json={"reason": "agreement ended"})
        assert revoked.status_code == 200
        revoked_at = time.monotonic()
        assert refused_within(member, WITHIN_SECONDS)  # it may read on until the reconciler's next round
        assert time.monotonic() - revoked_at < WITHIN_SECONDS
        later = publish_fighter_event(world)
        assert poll_until(member, later, 3) == "refused"  # and from then on, is refused
    finally:
        member.close()
    fresh = assigned_consumer(world.kafka(world.analytics))
    try:
        assert poll_until(fresh, later, 5) in ("refused", "nothing")  # a new consumer reads nothing either
    finally:
        fresh.close()

    lines = world.audit_lines()
    assert any(f"grant User:{world.analytics} READ on topic {FIGHTERS}" in line and "approved by roster" in line
               for line in lines)
    assert any(f"revoke User:{world.analytics} READ on topic {FIGHTERS}: no active grant" in line for line in lines)
    # The whole cluster was reconciled, and every domain kept the reads its approved subscriptions give it.
    assert [line for line in lines if "revoke" in line and world.analytics not in line] == []


def test_a_read_acl_added_by_hand_without_a_grant_is_removed_by_the_reconciler(world):
    by_hand = ACL(f"User:{world.intruder}", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                  ResourcePattern(ResourceType.TOPIC, FIGHTERS, ACLResourcePatternType.LITERAL))
    with KafkaAdminClient(**kafka_client_kwargs(world.event_plane.admin)) as admin:
        assert admin.create_acls([by_hand])["failed"] == []
        acl_admin = AclAdmin(admin)
        world.reconciler.wake()
        deadline = time.monotonic() + WITHIN_SECONDS
        while acl_admin.bindings(world.intruder) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert acl_admin.bindings(world.intruder) == []

    key = publish_fighter_event(world)
    consumer = assigned_consumer(world.kafka(world.intruder))
    try:
        assert poll_until(consumer, key, 3) in ("refused", "nothing")
    finally:
        consumer.close()
    assert any(f"revoke User:{world.intruder} READ on topic {FIGHTERS}: no active grant in the catalog" in line
               for line in world.audit_lines())
