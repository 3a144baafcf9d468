"""Round trip: contract → closed JSON Schema → validation of realistic records and events."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mesh_platform.contracts.errors import ContractViolation, UnknownDataProduct
from mesh_platform.contracts.loading import ContractRegistry

from .contract_documents import FIGHTER

EVENT_CARD = {
    "card_id": "5d2c8e1f-7a3b-4c6d-9e0f-1a2b3c4d5e6f",
    "name": "Octagon 198: Byrne vs. Costa",
    "date": "2024-03-09",
    "venue": "3Arena",
    "city": "Dublin",
    "country": "IE",
    "status": "completed",
    "announced_at": "2023-12-01T12:00:00Z",
}
BOUT = {
    "bout_id": "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
    "card_id": "5d2c8e1f-7a3b-4c6d-9e0f-1a2b3c4d5e6f",
    "card_date": "2024-03-09",
    "red_fighter_id": "0b7e2f4c-91d3-4a57-8c6e-3f1a2b9d4e70",
    "blue_fighter_id": "3f2b9c4e-8d1a-4b7e-9f6a-2c5d8e1b7a40",
    "weight_class": "womens_strawweight",
    "title_bout": True,
    "main_event": True,
    "order_on_card": 13,
    "scheduled_rounds": 5,
    "status": "completed",
    "scheduled_at": "2024-01-15T09:00:00Z",
}
DECISION = {
    "bout_id": "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
    "card_id": "5d2c8e1f-7a3b-4c6d-9e0f-1a2b3c4d5e6f",
    "bout_date": "2024-03-09",
    "weight_class": "womens_strawweight",
    "red_fighter_id": "0b7e2f4c-91d3-4a57-8c6e-3f1a2b9d4e70",
    "blue_fighter_id": "3f2b9c4e-8d1a-4b7e-9f6a-2c5d8e1b7a40",
    "outcome": "win",
    "winner_fighter_id": "0b7e2f4c-91d3-4a57-8c6e-3f1a2b9d4e70",
    "method": "DEC-S",
    "round": 5,
    "time": "5:00",
    "judges_scores": [
        {"judge": "Sal D'Amato", "red": 48, "blue": 47},
        {"judge": "Chris Lee", "red": 47, "blue": 48},
        {"judge": "Derek Cleary", "red": 48, "blue": 47},
    ],
    "recorded_at": "2024-03-09T23:41:07Z",
}
KNOCKOUT = {
    **DECISION,
    "method": "KO/TKO",
    "round": 2,
    "time": "3:41",
    "judges_scores": None,
    "bout_id": "a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d",
}
DRAW = {
    **DECISION,
    "outcome": "draw",
    "winner_fighter_id": None,
    "method": "DEC-M",
    "judges_scores": [
        {"judge": "A", "red": 48, "blue": 47},
        {"judge": "B", "red": 47, "blue": 47},
        {"judge": "C", "red": 47, "blue": 48},
    ],
}
NO_CONTEST = {
    **KNOCKOUT,
    "outcome": "no_contest",
    "winner_fighter_id": None,
    "method": "NC",
    "round": 1,
    "time": "0:47",
}
RECORD = {
    "fighter_id": "0b7e2f4c-91d3-4a57-8c6e-3f1a2b9d4e70",
    "name": "Aoife Byrne",
    "weight_class": "womens_strawweight",
    "wins": 11,
    "losses": 3,
    "draws": 1,
    "no_contests": 0,
    "wins_by_ko_tko": 4,
    "wins_by_submission": 2,
    "wins_by_decision": 5,
    "wins_by_dq": 0,
    "losses_by_ko_tko": 1,
    "losses_by_submission": 0,
    "losses_by_decision": 2,
    "current_streak": -1,
    "last_fight_date": "2024-03-09",
    "fights_per_year": 2.75,
    "updated_at": "2024-03-09T23:41:09Z",
}
NEWCOMER_RECORD = {
    **RECORD,
    "wins": 0,
    "losses": 0,
    "draws": 0,
    "wins_by_ko_tko": 0,
    "wins_by_submission": 0,
    "wins_by_decision": 0,
    "losses_by_ko_tko": 0,
    "losses_by_decision": 0,
    "current_streak": 0,
    "last_fight_date": None,
    "fights_per_year": 0,
}
RANKING = {
    "weight_class": "womens_strawweight",
    "entries": [
        {
            "rank": 1,
            "fighter_id": "0b7e2f4c-91d3-4a57-8c6e-3f1a2b9d4e70",
            "name": "Aoife Byrne",
            "rating": 1688.2,
            "wins": 11,
            "losses": 3,
        },
        {
            "rank": 2,
            "fighter_id": "3f2b9c4e-8d1a-4b7e-9f6a-2c5d8e1b7a40",
            "name": "Valentina Costa",
            "rating": 1641,
            "wins": 9,
            "losses": 2,
        },
    ],
    "updated_at": "2024-03-09T23:41:10Z",
}

VALID = [
    ("roster", "fighters", FIGHTER),
    ("roster", "fighters", {**FIGHTER, "nickname": None, "date_of_birth": None}),  # masked personal data
    ("roster", "fighters", {**FIGHTER, "status": "retired"}),
    ("schedule", "event-cards", EVENT_CARD),
    ("schedule", "event-cards", {**EVENT_CARD, "status": "cancelled"}),
    ("schedule", "bouts", BOUT),
    (
        "schedule",
        "bouts",
        {
            **BOUT,
            "title_bout": False,
            "main_event": False,
            "order_on_card": 1,
            "scheduled_rounds": 3,
            "status": "scheduled",
        },
    ),
    ("results", "bout-results", DECISION),
    ("results", "bout-results", KNOCKOUT),
    ("results", "bout-results", DRAW),
    ("results", "bout-results", NO_CONTEST),
    ("stats", "fighter-records", RECORD),
    ("stats", "fighter-records", NEWCOMER_RECORD),
    ("stats", "rankings", RANKING),
    ("stats", "rankings", {**RANKING, "entries": []}),
]


def _without(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


def _with_entry(**changes: Any) -> dict[str, Any]:
    ranking = copy.deepcopy(RANKING)
    ranking["entries"][1].update(changes)
    return ranking


INVALID = [
    ("roster", "fighters", {**FIGHTER, "email": "a@b.ie"}, "email", "unknown property"),
    ("roster", "fighters", _without(FIGHTER, "name"), "name", "required"),
    ("roster", "fighters", {**FIGHTER, "name": None}, "name", "must be string"),
    ("roster", "fighters", {**FIGHTER, "fighter_id": "fighter-42"}, "fighter_id", "uuid"),
    ("roster", "fighters", {**FIGHTER, "height_cm": 231}, "height_cm", "230"),
    ("roster", "fighters", {**FIGHTER, "reach_cm": 175.5}, "reach_cm", "integer"),
    ("roster", "fighters", {**FIGHTER, "weight_class": "cruiserweight"}, "weight_class", "must be one of"),
    ("roster", "fighters", {**FIGHTER, "stance": "Orthodox"}, "stance", "must be one of"),
    ("roster", "fighters", {**FIGHTER, "nationality": "IRL"}, "nationality", "pattern"),
    ("roster", "fighters", {**FIGHTER, "date_of_birth": "02/11/1996"}, "date_of_birth", "date"),
    ("roster", "fighters", {**FIGHTER, "updated_at": "2024-06-30 08:00"}, "updated_at", "date-time"),
    ("schedule", "event-cards", {**EVENT_CARD, "status": "postponed"}, "status", "must be one of"),
    ("schedule", "bouts", {**BOUT, "scheduled_rounds": 4}, "scheduled_rounds", "must be one of"),
    ("schedule", "bouts", {**BOUT, "order_on_card": 0}, "order_on_card", "1"),
    ("schedule", "bouts", {**BOUT, "title_bout": "yes"}, "title_bout", "boolean"),
    ("results", "bout-results", {**DECISION, "method": "DEC"}, "method", "must be one of"),
    ("results", "bout-results", {**DECISION, "time": "5:01"}, "time", "pattern"),
    ("results", "bout-results", {**DECISION, "round": 6}, "round", "5"),
    ("results", "bout-results", {**DECISION, "judges_scores": DECISION["judges_scores"][:2]}, "judges_scores", "3"),
    (
        "results",
        "bout-results",
        {**DECISION, "judges_scores": [{**s, "round": 1} for s in DECISION["judges_scores"]]},
        "judges_scores[0].round",
        "unknown property",
    ),
    (
        "results",
        "bout-results",
        {**DECISION, "judges_scores": [{"judge": "A", "red": 30}] * 3},
        "judges_scores[0].blue",
        "required",
    ),
    ("stats", "fighter-records", {**RECORD, "wins": -1}, "wins", "0"),
    (
        "stats",
        "fighter-records",
        _without(RECORD, "last_fight_date") | {"fights_per_year": "often"},
        "fights_per_year",
        "number",
    ),
    ("stats", "rankings", _with_entry(rank=0), "entries[1].rank", "1"),
    ("stats", "rankings", _with_entry(elo=1500), "entries[1].elo", "unknown property"),
    ("stats", "rankings", {**RANKING, "entries": None}, "entries", "array"),
]


@pytest.mark.parametrize(("domain", "product", "payload"), VALID)
def test_realistic_records_and_their_events_conform(
    domain: str, product: str, payload: dict[str, Any], registry: ContractRegistry
) -> None:
    contract = registry.get(domain, product)
    received = json.loads(json.dumps(payload))  # as a consumer gets it off the wire
    contract.validate_record(received)
    for event_type in contract.event_types:
        contract.validate_event(event_type, received)


@pytest.mark.parametrize(("domain", "product", "payload", "path", "reason"), INVALID)
def test_payload_breaking_the_contract_is_refused_with_path_and_reason(
    domain: str, product: str, payload: dict[str, Any], path: str, reason: str, registry: ContractRegistry
) -> None:
    contract = registry.get(domain, product)
    with pytest.raises(ContractViolation) as record_error:
        contract.validate_record(payload)
    assert record_error.value.path == path
    assert reason in record_error.value.reason
    with pytest.raises(ContractViolation) as event_error:
        contract.validate_event(contract.event_types[0], payload)
    assert (event_error.value.path, event_error.value.reason) == (path, record_error.value.reason)


def test_contract_violation_is_a_value_error_naming_path_and_reason(registry: ContractRegistry) -> None:
    with pytest.raises(ValueError, match=r"^height_cm: must be smaller than or equal to 230$"):
        registry.get("roster", "fighters").validate_record({**FIGHTER, "height_cm": 250})


def test_a_payload_that_is_not_an_object_is_refused(registry: ContractRegistry) -> None:
    with pytest.raises(ContractViolation) as error:
        registry.get("roster", "fighters").validate_record([FIGHTER])
    assert error.value.path == "" and "object" in error.value.reason


def _objects(schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, list):
        return [found for item in schema for found in _objects(item)]
    if not isinstance(schema, dict):
        return []
    own = [schema] if "properties" in schema else []
    return own + [found for value in schema.values() for found in _objects(value)]


@pytest.mark.parametrize(("domain", "product"), sorted({(d, p) for d, p, _ in VALID}))
def test_every_object_in_derived_schemas_is_closed(domain: str, product: str, registry: ContractRegistry) -> None:
    contract = registry.get(domain, product)
    schemas = [contract.record_schema] + [contract.event_schema(t) for t in contract.event_types]
    objects = [obj for schema in schemas for obj in _objects(schema)]
    assert objects and all(obj["additionalProperties"] is False for obj in objects)


def test_each_event_type_has_its_own_schema_with_the_record_shape(registry: ContractRegistry) -> None:
    fighters = registry.get("roster", "fighters")
    schemas = {t: fighters.event_schema(t) for t in fighters.event_types}
    assert [s["title"] for s in schemas.values()] == fighters.event_types
    for schema in schemas.values():
        assert schema["properties"] == fighters.record_schema["properties"]
        assert schema["required"] == fighters.record_schema["required"]
    schemas["octagon.roster.fighter.retired.v1"]["properties"].pop("name")
    assert "name" in fighters.event_schema("octagon.roster.fighter.retired.v1")["properties"], "a fresh copy each time"


def test_validators_are_compiled_once_per_distinct_schema(registry: ContractRegistry) -> None:
    fighters = registry.get("roster", "fighters")
    checks = {id(fighters.event_validator(t)._check) for t in fighters.event_types}
    assert checks == {id(fighters.record_validator._check)}
    assert fighters.event_validator(fighters.event_types[0]) is fighters.event_validator(fighters.event_types[0])
    assert id(registry.get("schedule", "bouts").record_validator._check) not in checks


def test_only_required_fields_are_required_and_optional_ones_accept_null(registry: ContractRegistry) -> None:
    results = registry.get("results", "bout-results")
    schema = results.record_schema
    assert "winner_fighter_id" not in schema["required"] and "judges_scores" not in schema["required"]
    assert schema["properties"]["winner_fighter_id"]["type"] == ["string", "null"]
    assert schema["properties"]["outcome"]["enum"] == ["win", "draw", "no_contest"]
    results.validate_record(_without(KNOCKOUT, "judges_scores"))


def test_unknown_event_type_is_reported_as_unknown_not_as_a_violation(registry: ContractRegistry) -> None:
    with pytest.raises(UnknownDataProduct, match="octagon.roster.fighter.promoted.v1"):
        registry.get("roster", "fighters").validate_event("octagon.roster.fighter.promoted.v1", FIGHTER)
