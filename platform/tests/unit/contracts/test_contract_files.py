"""The repository's contracts: valid ODCS v3.1.0, lint-clean, and exactly the products the domains are built to."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft201909Validator
from open_data_contract_standard.model import OpenDataContractStandard

from mesh_platform.contracts.documents import read_document
from mesh_platform.contracts.loading import ContractRegistry
from mesh_tools.contracts.lint import lint_paths

from .contract_documents import CONTRACTS_DIR, PRODUCTS, WEIGHT_CLASSES

EXPECTED = {
    ("roster", "fighters"): (
        "fighter_id",
        "http://127.0.0.1:8001/data-products/fighters/v1",
        "roster.fighters.v1",
        [
            "octagon.roster.fighter.registered.v1",
            "octagon.roster.fighter.updated.v1",
            "octagon.roster.fighter.retired.v1",
        ],
        [
            "fighter_id",
            "name",
            "nickname",
            "date_of_birth",
            "nationality",
            "weight_class",
            "stance",
            "height_cm",
            "reach_cm",
            "status",
            "registered_at",
            "updated_at",
            "stats",  # since 1.1.0: the labelled replica of stats' record and rank (reverse ETL)
        ],
    ),
    ("schedule", "event-cards"): (
        "card_id",
        "http://127.0.0.1:8002/data-products/event-cards/v1",
        "schedule.event-cards.v1",
        ["octagon.schedule.card.announced.v1", "octagon.schedule.card.cancelled.v1"],
        ["card_id", "name", "date", "venue", "city", "country", "status", "announced_at"],
    ),
    ("schedule", "bouts"): (
        "bout_id",
        "http://127.0.0.1:8002/data-products/bouts/v1",
        "schedule.bouts.v1",
        ["octagon.schedule.bout.scheduled.v1", "octagon.schedule.bout.cancelled.v1", "octagon.schedule.bout.completed.v1"],
        [
            "bout_id",
            "card_id",
            "card_date",
            "red_fighter_id",
            "blue_fighter_id",
            "weight_class",
            "title_bout",
            "main_event",
            "order_on_card",
            "scheduled_rounds",
            "status",
            "scheduled_at",
        ],
    ),
    ("results", "bout-results"): (
        "bout_id",
        "http://127.0.0.1:8003/data-products/bout-results/v1",
        "results.bout-results.v1",
        ["octagon.results.result.recorded.v1"],
        [
            "bout_id",
            "card_id",
            "bout_date",
            "weight_class",
            "red_fighter_id",
            "blue_fighter_id",
            "outcome",
            "winner_fighter_id",
            "method",
            "round",
            "time",
            "judges_scores",
            "recorded_at",
        ],
    ),
    ("stats", "fighter-records"): (
        "fighter_id",
        "http://127.0.0.1:8004/data-products/fighter-records/v1",
        "stats.fighter-records.v1",
        ["octagon.stats.record.updated.v1"],
        [
            "fighter_id",
            "name",
            "weight_class",
            "wins",
            "losses",
            "draws",
            "no_contests",
            "wins_by_ko_tko",
            "wins_by_submission",
            "wins_by_decision",
            "wins_by_dq",
            "losses_by_ko_tko",
            "losses_by_submission",
            "losses_by_decision",
            "current_streak",
            "last_fight_date",
            "fights_per_year",
            "updated_at",
        ],
    ),
    ("stats", "rankings"): (
        "weight_class",
        "http://127.0.0.1:8004/data-products/rankings/v1",
        "stats.rankings.v1",
        ["octagon.stats.ranking.updated.v1"],
        ["weight_class", "entries", "updated_at"],
    ),
}


def _documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, read_document(path.read_text(encoding="utf-8"), path))
        for path in sorted(CONTRACTS_DIR.glob("*/*.odcs.yaml"))
    ]


def test_there_is_one_contract_per_data_product() -> None:
    found = sorted((p.parent.name, p.name.removesuffix(".odcs.yaml")) for p in CONTRACTS_DIR.glob("*/*.odcs.yaml"))
    assert found == sorted(PRODUCTS)


@pytest.mark.parametrize(("name", "document"), _documents())
def test_contract_validates_against_the_shared_odcs_json_schema(
    name: str, document: dict[str, Any], shared_odcs_schema: dict[str, Any]
) -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in Draft201909Validator(shared_odcs_schema).iter_errors(document)
    ]
    assert errors == []
    assert document["apiVersion"] == "v3.1.0"


def test_platform_ships_the_same_odcs_schema_as_shared(shared_odcs_schema: dict[str, Any]) -> None:
    bundled = resources.files("mesh_platform.contracts").joinpath("schemas").joinpath("odcs-json-schema-v3.1.0.json")
    assert json.loads(bundled.read_text("utf-8")) == shared_odcs_schema


@pytest.mark.parametrize(("name", "document"), _documents())
def test_odcs_package_model_reads_v3_1_0_documents_without_dropping_anything(
    name: str, document: dict[str, Any]
) -> None:
    model = OpenDataContractStandard.model_validate(document)
    assert model.model_dump(exclude_none=True, by_alias=True) == document


def test_every_contract_is_lint_clean() -> None:
    report = lint_paths([CONTRACTS_DIR])
    assert len(report.files) == len(PRODUCTS)
    assert [str(f) for f in report.findings] == []


def test_every_contract_is_clean_for_datacontract_lint() -> None:
    data_contract = pytest.importorskip("datacontract.data_contract", reason="datacontract-cli is a dev tool")
    for path in sorted(CONTRACTS_DIR.glob("*/*.odcs.yaml")):
        run = data_contract.DataContract(data_contract_file=str(path), inline_references=False).lint()
        problems = [(c.name, c.reason) for c in run.checks if c.result != "passed"]
        assert run.result == "passed", (path.name, problems)
        assert problems == [], path.name


@pytest.mark.parametrize(("domain", "product"), PRODUCTS)
def test_products_have_the_agreed_key_ports_topics_events_and_fields(
    domain: str, product: str, registry: ContractRegistry
) -> None:
    contract = registry.get(domain, product, 1)
    key, url, topic, events, fields = EXPECTED[(domain, product)]
    assert contract.key_field == key
    assert contract.fields[0].name == key
    assert contract.http_url == url
    assert contract.topic == topic
    assert contract.event_types == events
    assert [f.name for f in contract.fields] == fields
    assert contract.owner == f"{domain}-team"
    assert contract.major == 1 and contract.status == "active"


def test_weight_classes_are_the_twelve_divisions_everywhere(registry: ContractRegistry) -> None:
    for contract in registry:
        for spec in contract.fields:
            if spec.name == "weight_class":
                assert list(spec.allowed_values or ()) == WEIGHT_CLASSES, contract.id
                assert spec.extensible_enum


def test_only_date_of_birth_is_personal_data_and_it_is_restricted(registry: ContractRegistry) -> None:
    assert {c.id: c.pii_fields for c in registry if c.pii_fields} == {"roster.fighters": {"date_of_birth"}}
    fighters = registry.get("roster", "fighters")
    assert fighters.classification_of("date_of_birth") == "restricted"
    assert fighters.classification_of("name") == "public"
