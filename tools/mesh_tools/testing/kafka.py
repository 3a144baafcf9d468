"""A real, locked-down Kafka broker for a pytest session: SASL/SCRAM, ACLs, topics provisioned from the contracts."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer

from mesh_platform.contracts import ContractsDirNotFound, default_contracts_dir
from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs
from mesh_platform.kafka.event_plane import EventPlane
from mesh_tools.broker.broker import LocalKafkaBroker
from mesh_tools.broker.credentials import new_password
from mesh_tools.broker.errors import BrokerError
from mesh_tools.broker.topics import ensure_topics
from mesh_tools.event_plane.provisioning import EventPlaneProvisioner, ProvisioningReport
from mesh_tools.testing.ports import free_port


@dataclass
class TestEventPlane:
    """The session's broker: its address, the super user, and one principal per domain of the contracts."""

    __test__ = False  # not a test class, whatever its name

    bootstrap_servers: str
    admin: KafkaClientSettings
    plane: EventPlane | None
    principals: dict[str, KafkaClientSettings] = field(default_factory=dict)
    report: ProvisioningReport | None = None

    def principal(self, name: str) -> KafkaClientSettings:
        """How domain ``name``'s principal connects (its session password, generated at start)."""
        return self.principals[name]

    def create_topics(self, *names: str, partitions: int = 3) -> None:
        """Create topics a test makes up (history kept, like product topics); existing ones are left alone."""
        ensure_topics(self.admin, list(names), partitions=partitions)


def provision_test_topics(bootstrap_servers: str, *names: str, partitions: int = 3) -> None:
    """Create ``names`` on the session's broker (``kafka_bootstrap``) as the super user the session connects as.

    For tests whose topics no contract declares: brokers never auto-create topics.
    """
    admin = KafkaClientSettings(bootstrap_servers=bootstrap_servers)
    TestEventPlane(bootstrap_servers, admin, None).create_topics(*names, partitions=partitions)


def _contracts_dir() -> Path | None:
    try:
        return default_contracts_dir()
    except ContractsDirNotFound:
        return None


def _provision(admin: KafkaClientSettings) -> TestEventPlane:
    contracts_dir = _contracts_dir()
    plane = EventPlane.from_contracts(contracts_dir) if contracts_dir is not None else None
    event_plane = TestEventPlane(admin.bootstrap_servers, admin, plane)
    if plane is None:
        return event_plane
    passwords = {principal: new_password() for principal in plane.principals}
    event_plane.report = EventPlaneProvisioner(admin, production=False).apply(plane, passwords)
    event_plane.principals = {name: admin.for_principal(name, password) for name, password in passwords.items()}
    return event_plane


@pytest.fixture(scope="session")
def kafka_event_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestEventPlane]:
    """A real Kafka broker shared by the whole session, secured as in production and provisioned from the contracts.

    Clients must authenticate (SASL/SCRAM-SHA-512) and are authorized by ACLs; auto-creation is off. The contracts'
    topics and dead-letter topics exist, every domain has a principal with a password generated for this session
    and the ACLs its contracts and ``subscriptions.yaml`` give it. ``KAFKA_BOOTSTRAP_SERVERS`` names a running
    cluster to use instead (with a super user's ``KAFKA_USERNAME``/``KAFKA_PASSWORD``); otherwise the session starts
    its own broker on free ports with a fresh data directory and stops it at the end.
    """
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield _provision(KafkaClientSettings(bootstrap_servers=external))
        return
    port = free_port()
    controller_port = free_port()
    while controller_port == port:
        controller_port = free_port()
    broker = LocalKafkaBroker(tmp_path_factory.mktemp("kafka"), port=port, controller_port=controller_port)
    try:
        broker.start()
    except BrokerError as e:
        pytest.fail(f"could not start the test Kafka broker: {e}", pytrace=False)
    try:
        yield _provision(broker.admin_settings)
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_event_plane: TestEventPlane) -> Iterator[str]:
    """The bootstrap address of the session's broker; the process's Kafka clients connect as its super user.

    The session's environment gets ``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_MECHANISM``, ``KAFKA_USERNAME`` and
    ``KAFKA_PASSWORD`` of the super user, so services built in-process and helpers that pass only an address
    (:func:`mesh_platform.kafka.client.kafka_client_kwargs`) can connect. Tests of the ACLs themselves connect as a
    domain's principal through :func:`kafka_event_plane`.
    """
    admin = kafka_event_plane.admin
    kafka_client_kwargs(admin)  # fail here, with the reason, if the super user's credentials are incomplete
    patch = pytest.MonkeyPatch()
    patch.setenv("KAFKA_SECURITY_PROTOCOL", admin.security_protocol)
    patch.setenv("KAFKA_SASL_MECHANISM", admin.sasl_mechanism)
    if admin.username:
        patch.setenv("KAFKA_USERNAME", admin.username)
    if admin.password is not None:
        patch.setenv("KAFKA_PASSWORD", admin.password.get_secret_value())
    patch.delenv("KAFKA_PASSWORD_FILE", raising=False)
    try:
        yield kafka_event_plane.bootstrap_servers
    finally:
        patch.undo()


def consume(bootstrap: str | KafkaClientSettings, topic: str, expected: int, timeout: float = 30.0) -> list[Any]:
    """Every record of ``topic`` from the beginning, waiting until ``expected`` arrived (or the timeout)."""
    consumer = KafkaConsumer(topic, **kafka_client_kwargs(bootstrap), auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None, consumer_timeout_ms=1000)
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records
