"""Roster's event port against the session's real broker: it starts only on a topic as its contract declares it,
and its events carry no personal data."""

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from mesh_platform.contracts import ContractRegistry, default_contracts_dir
from mesh_platform.domain_api import record_of
from mesh_platform.events.factory import EventFactory
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.kafka.event_plane import EventPlane, withheld_fields
from mesh_platform.kafka.topic_check import TopicsNotReady
from mesh_tools.event_plane.provisioning import EventPlaneProvisioner
from roster.adapters.tables import FIGHTERS
from roster.app import create_app
from roster.domain.model import PERSONAL_DATA, Fighter, FighterProfile, Stance, WeightClass
from roster.settings import RosterSettings

TOPIC = "roster.fighters.v1"


def test_events_leave_out_exactly_the_fields_the_contract_withholds():
    contract = ContractRegistry.from_directory(default_contracts_dir()).get("roster", "fighters", 1)
    profile = FighterProfile(name="Amanda Silva", date_of_birth=date(1994, 3, 2), nationality="BR",
                             weight_class=WeightClass("lightweight"), stance=Stance("orthodox"), height_cm=170,
                             reach_cm=175)
    fighter, _event = Fighter.register(profile, datetime.now(UTC))

    data = FIGHTERS.event(EventFactory("roster", "http://catalog"), "registered", fighter).data

    assert PERSONAL_DATA == FIGHTERS.withheld_from_events == withheld_fields(contract) >= contract.pii_fields
    assert set(record_of(fighter.model_dump())) - set(data) == set(PERSONAL_DATA)
    contract.validate_record(record_of(fighter.model_dump()))
    contract.validate_event("octagon.roster.fighter.registered.v1", data)


@pytest.mark.integration
def test_roster_refuses_to_start_on_a_misconfigured_topic_and_starts_once_it_is_set_back(
    kafka_event_plane, kafka_bootstrap, monkeypatch, tmp_path
):
    monkeypatch.setenv("KAFKA_TOPIC_WAIT_SECONDS", "1")
    settings = RosterSettings(database_url=f"sqlite:///{tmp_path / 'roster.db'}", run_dir=tmp_path,
                              kafka_bootstrap_servers=kafka_bootstrap, subscriptions_enabled=False)
    with KafkaAdminClient(**kafka_client_kwargs(kafka_event_plane.admin)) as admin:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, TOPIC, configs={"retention.ms": "3600000"})])
    try:
        with pytest.raises(TopicsNotReady, match=r"roster.fighters.v1: retention.ms=3600000, the contract says -1"):
            with TestClient(create_app(settings)):
                pass
    finally:
        EventPlaneProvisioner(kafka_event_plane.admin, production=False).apply(
            EventPlane.from_contracts(default_contracts_dir())
        )

    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
