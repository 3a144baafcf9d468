"""OpenAPI components and AsyncAPI documents derived from the contracts."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator, validators

from mesh_platform.contracts.asyncapi import asyncapi_document
from mesh_platform.contracts.loading import ContractRegistry
from mesh_platform.contracts.openapi import component_name, openapi_components, openapi_with_contracts

from .contract_documents import FIGHTER


@pytest.mark.parametrize("domain", ["roster", "schedule", "results", "stats"])
def test_asyncapi_document_is_valid_asyncapi_3(
    domain: str, registry: ContractRegistry, asyncapi_schema: dict[str, Any]
) -> None:
    document = asyncapi_document(domain, registry)
    validator = validators.validator_for(asyncapi_schema)(asyncapi_schema)
    assert [e.message for e in validator.iter_errors(document)] == []


def test_asyncapi_has_a_channel_per_topic_and_a_message_per_event_type(registry: ContractRegistry) -> None:
    document = asyncapi_document("schedule", registry, kafka_bootstrap_servers="broker:29092")
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["mesh-kafka"]["host"] == "broker:29092"
    security = document["servers"]["mesh-kafka"]["security"][0]["$ref"].rsplit("/", 1)[-1]
    assert document["components"]["securitySchemes"][security]["type"] == "scramSha512"  # as the brokers demand
    assert {c["address"]: sorted(c["messages"]) for c in document["channels"].values()} == {
        "schedule.bouts.v1": [
            "octagon.schedule.bout.cancelled.v1",
            "octagon.schedule.bout.completed.v1",
            "octagon.schedule.bout.scheduled.v1",
        ],
        "schedule.event-cards.v1": ["octagon.schedule.card.announced.v1", "octagon.schedule.card.cancelled.v1"],
    }
    assert [op["action"] for op in document["operations"].values()] == ["send", "send"]
    message = document["components"]["messages"]["octagon.schedule.bout.scheduled.v1"]
    assert message["headers"]["properties"]["ce_type"]["const"] == "octagon.schedule.bout.scheduled.v1"
    assert message["headers"]["properties"]["ce_source"]["const"] == "/domains/schedule"
    assert message["bindings"]["kafka"]["key"]["format"] == "uuid"


def test_asyncapi_payload_schema_accepts_a_real_event_and_refuses_unknown_properties(
    registry: ContractRegistry,
) -> None:
    document = asyncapi_document("roster", registry)
    payload = document["components"]["schemas"]["octagon.roster.fighter.registered.v1"]
    validator = Draft7Validator(payload, format_checker=Draft7Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(FIGHTER)) == []
    assert [e.validator for e in validator.iter_errors({**FIGHTER, "email": "x@y.ie"})] == ["additionalProperties"]


def test_asyncapi_includes_only_the_domains_own_products(registry: ContractRegistry) -> None:
    document = asyncapi_document("stats", registry)
    assert sorted(document["channels"]) == ["stats.fighter-records.v1", "stats.rankings.v1"]


def test_openapi_components_name_record_and_page_per_major(registry: ContractRegistry) -> None:
    schemas = openapi_components(registry)["schemas"]
    assert sorted(schemas) == sorted(name for c in registry for name in (component_name(c), f"{component_name(c)}Page"))
    assert component_name(registry.get("stats", "fighter-records")) == "FighterRecordsV1"
    fighters = schemas["FightersV1"]
    assert "$schema" not in fighters and fighters["x-key"] == "fighter_id"
    assert fighters["properties"]["date_of_birth"]["x-pii"] is True
    assert fighters["properties"]["date_of_birth"]["x-classification"] == "restricted"
    rankings = schemas["RankingsV1"]["properties"]["entries"]["items"]["properties"]
    assert rankings["rating"]["x-classification"] == "public"


def test_openapi_page_schema_validates_a_real_list_response(registry: ContractRegistry) -> None:
    components = openapi_components([registry.get("roster", "fighters")])
    document = {"components": components, "$ref": "#/components/schemas/FightersV1Page"}
    validator = Draft202012Validator(document)
    assert list(validator.iter_errors({"items": [FIGHTER], "next_cursor": "ZmlnaHRlcg"})) == []
    assert list(validator.iter_errors({"items": [], "next_cursor": None})) == []
    refused = {"items": [{**FIGHTER, "height_cm": "tall"}], "next_cursor": None}
    assert [list(e.absolute_path) for e in validator.iter_errors(refused)] == [["items", 0, "height_cm"]]


def test_openapi_with_contracts_points_data_product_routes_at_the_components(registry: ContractRegistry) -> None:
    generated = {
        "openapi": "3.1.0",
        "paths": {
            "/data-products/fighters/v1": {"get": {"responses": {"200": {"description": "Successful Response"}}}},
            "/data-products/fighters/v1/{key}": {"get": {"responses": {}}},
            "/commands/fighters": {"post": {"responses": {}}},
        },
    }
    document = openapi_with_contracts(generated, registry.for_domain("roster"))
    list_schema = document["paths"]["/data-products/fighters/v1"]["get"]["responses"]["200"]["content"]
    item_schema = document["paths"]["/data-products/fighters/v1/{key}"]["get"]["responses"]["200"]["content"]
    assert list_schema["application/json"]["schema"] == {"$ref": "#/components/schemas/FightersV1Page"}
    assert item_schema["application/json"]["schema"] == {"$ref": "#/components/schemas/FightersV1"}
    assert "FightersV1" in document["components"]["schemas"]
    assert "components" not in generated, "the generated document is left as it was"
