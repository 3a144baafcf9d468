"""Quality rules on each published batch: block and quarantine hold events (never lose them), warn publishes.

Against the real broker and the real store (SQLite and PostgreSQL): a command commits its state and its events;
the relay's quality gate decides what goes out.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Column, MetaData, String, Table, func, insert, select, update

from mesh_platform.contracts import ContractRegistry, DataProductContract, default_contracts_dir
from mesh_platform.outbox.relay import OutboxRelay, kafka_producer_factory
from mesh_platform.quality.gate import QualityGate
from mesh_platform.quality.holds import HoldStore
from mesh_platform.quality.results import QualityResults
from mesh_tools.testing.kafka import consume

pytestmark = pytest.mark.integration

STANCE_RULE = {
    "id": "stance_allowed",
    "metric": "invalidValues",
    "arguments": {"validValues": ["orthodox", "southpaw", "switch"]},
    "mustBe": 0,
}


def things_contract(domain: str, stance_rule: dict) -> DataProductContract:
    """The fighters contract as product ``things`` of ``domain``, with ``stance_rule`` on ``stance``."""
    document = yaml.safe_load(Path(default_contracts_dir(), "roster", "fighters.odcs.yaml").read_text())
    document["id"] = f"{domain}.things"
    document["domain"] = domain
    for server in document["servers"]:
        if server["type"] == "api":
            server["location"] = "http://127.0.0.1:8001/data-products/things/v1"
        for custom in server.get("customProperties") or []:
            if custom["property"] == "topic":
                custom["value"] = f"{domain}.things.v1"
            if custom["property"] == "eventTypes":
                custom["value"] = [{"type": f"octagon.{domain}.thing.changed.v1", "schema": "fighters"}]
    for prop in document["schema"][0]["properties"]:
        if prop["name"] == "stance":
            prop["quality"] = [stance_rule]
    return DataProductContract.from_document(document, "things.odcs.yaml")


class Service:
    """A store with one state table, its outbox, and a relay gated by the quality rules of ``contract``."""

    def __init__(self, store, events, kafka_bootstrap, contract):
        self.store, self.events = store, events
        self.state = Table("fighters_state", MetaData(), Column("fighter_id", String(64), primary_key=True),
                           Column("stance", String(32)))
        self.state.create(store.engine)
        self.holds = HoldStore(store.engine)
        self.holds.create_table()
        self.results = QualityResults()
        self.gate = QualityGate(ContractRegistry([contract]), store.tables.outbox, self.holds, self.results)
        self.relay = OutboxRelay(store.engine, store.tables.outbox, kafka_producer_factory(kafka_bootstrap, "test"),
                                 gate=self.gate)

    def register(self, fighter_id: str, stance: str, *, change: bool = False, **drift) -> str:
        """The command: the fighter's state and its event commit together (``drift``: fields a buggy producer adds)."""
        key = fighter_key(fighter_id)
        record = {**EXAMPLE, "fighter_id": key, "stance": stance, **drift}
        message = self.events.create(product="things", major=1, entity="thing", verb="changed", key=key,
                                     data=record)
        with self.store.unit_of_work() as uow:
            if change:
                uow.session.execute(update(self.state).where(self.state.c.fighter_id == fighter_id)
                                    .values(stance=stance))
            else:
                uow.session.execute(insert(self.state).values(fighter_id=fighter_id, stance=stance))
            uow.publish(message)
            uow.commit()
        return message.id

    def drain(self) -> None:
        while self.relay.relay_once():
            pass

    def stances(self) -> dict[str, str]:
        with self.store.engine.connect() as connection:
            return dict(connection.execute(select(self.state.c.fighter_id, self.state.c.stance)).all())

    def unpublished(self) -> int:
        outbox = self.store.tables.outbox
        with self.store.engine.connect() as connection:
            return connection.execute(select(func.count()).where(outbox.c.published_at.is_(None))).scalar_one()


EXAMPLE = {
    "fighter_id": "", "name": "Valentina Costa", "nickname": None, "nationality": "BR", "weight_class": "lightweight",
    "stance": "orthodox", "height_cm": 175, "reach_cm": 180, "status": "active",
    "registered_at": "2021-06-01T09:30:00Z", "updated_at": "2021-06-01T09:30:00Z",
}


def fighter_key(name: str) -> str:
    """The fighter's id (the contract wants a UUID) for a short test name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def received(kafka_bootstrap, topic, expected):
    """Event ids received per fighter (by short test name), in order."""
    names = {fighter_key(f"f{n}"): f"f{n}" for n in range(10)}
    by_key = defaultdict(list)
    for record in consume(kafka_bootstrap, topic, expected=expected, timeout=10 if expected else 3):
        by_key[names[record.key.decode()]].append(dict(record.headers)["ce_id"].decode())
    return dict(by_key)


def test_a_blocking_rule_holds_the_bad_event_and_its_topic_behind_it(store, events, domain, kafka_bootstrap,
                                                                      things_topic):
    service = Service(store, events, kafka_bootstrap, things_contract(domain, STANCE_RULE))
    good = service.register("f1", "orthodox")
    bad = service.register("f2", "kickboxer")
    service.register("f3", "southpaw")
    service.drain()

    # The commands' state is committed, bad value included: the gate never rolls back a command.
    assert service.stances() == {"f1": "orthodox", "f2": "kickboxer", "f3": "southpaw"}
    # Only the event before the bad one went out; the bad one and the topic behind it wait in the outbox.
    assert received(kafka_bootstrap, things_topic, expected=1) == {"f1": [good]}
    assert service.unpublished() == 2
    assert service.relay.pending() == 0  # held, not waiting: the backlog does not count them
    [hold] = service.holds.list()
    assert (hold.event_id, hold.action, hold.status) == (bad, "block", "held")
    assert hold.rules == ["fighters.stance:stance_allowed"]
    assert "invalidValues(fighters.stance) = 0 rows: measured 1" in hold.reason
    failed = [r for _, _, scope, r in service.results.latest() if r.status == "failed" and scope == "batch"]
    assert [r.rule_key for r in failed] == ["fighters.stance:stance_allowed"]

    # Nothing leaks on later passes, even after more commands.
    service.register("f4", "switch")
    service.drain()
    assert service.unpublished() == 3

    # The owner releases it: everything goes out in the original order.
    service.holds.release(hold.id, by="roster-owner", reason="kickboxer is a stance now")
    service.drain()
    assert service.unpublished() == 0
    assert sorted(received(kafka_bootstrap, things_topic, expected=4)) == ["f1", "f2", "f3", "f4"]
    assert service.holds.get(hold.id).released_by == "roster-owner"


def test_quarantine_holds_only_the_bad_key_and_is_visible_and_releasable(store, events, domain, kafka_bootstrap,
                                                                         things_topic):
    rule = {**STANCE_RULE, "customProperties": [{"property": "onFailure", "value": "quarantine"}]}
    service = Service(store, events, kafka_bootstrap, things_contract(domain, rule))
    service.register("f1", "orthodox")
    bad = service.register("f2", "kickboxer")
    service.register("f3", "southpaw")
    service.drain()
    # f2 fixed by a later command: held too, behind its key's quarantined event, so per-key order holds.
    fixed = service.register("f2", "switch", change=True)
    service.register("f5", "orthodox")
    service.drain()
    assert sorted(received(kafka_bootstrap, things_topic, expected=3)) == ["f1", "f3", "f5"]
    assert service.stances()["f2"] == "switch"
    [hold] = service.holds.list(status="held")
    assert (hold.event_id, hold.action, hold.message_key) == (bad, "quarantine", fighter_key("f2"))
    assert hold.as_dict()["holds_back"] == f"later events of key {fighter_key('f2')} on {things_topic}"

    service.holds.release(hold.id, by="owner", reason="checked by hand")
    service.drain()
    assert received(kafka_bootstrap, things_topic, expected=5)["f2"] == [bad, fixed]
    assert service.holds.list(status="held") == []


def test_a_warning_rule_publishes_and_records_the_warning(store, events, domain, kafka_bootstrap, things_topic):
    rule = {**STANCE_RULE, "severity": "warning"}
    service = Service(store, events, kafka_bootstrap, things_contract(domain, rule))
    bad = service.register("f2", "kickboxer")
    service.drain()
    assert received(kafka_bootstrap, things_topic, expected=1) == {"f2": [bad]}
    assert service.holds.list() == []
    [(_, _, scope, result)] = [entry for entry in service.results.latest() if entry[3].rule_id == "stance_allowed"]
    assert (scope, result.status, result.measured, result.sample_keys) == ("batch", "warned", 1.0, (fighter_key("f2"),))


def test_an_event_that_drifted_from_its_schema_is_blocked(store, events, domain, kafka_bootstrap, things_topic):
    service = Service(store, events, kafka_bootstrap, things_contract(domain, STANCE_RULE))
    service.register("f1", "orthodox")
    drifted = service.register("f2", "orthodox", height_cm="tall")
    service.drain()
    assert sorted(received(kafka_bootstrap, things_topic, expected=1)) == ["f1"]
    [hold] = service.holds.list()
    assert (hold.event_id, hold.action, hold.rules) == (drifted, "block", [f"schema:octagon.{domain}.thing.changed.v1"])
    assert "height_cm" in hold.reason
