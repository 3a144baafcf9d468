"""The rules our contracts declare, run over small products: the seed's impossible fighter, records that do not add
up, results that contradict themselves — and every rule of every contract runs (none is an error) on its example."""

from __future__ import annotations

import pytest

from mesh_platform.contracts import ContractRegistry
from mesh_platform.quality import QualityEngine

REGISTRY = ContractRegistry.from_directory()


def run(domain: str, product: str, records: list[dict]) -> dict[str, str]:
    contract = REGISTRY.get(domain, product)
    outcome = QualityEngine().run_contract(contract, {contract.record_name: records}, scope="schedule")
    return {result.rule_id: result.status for result in outcome.results}


@pytest.mark.parametrize("contract", list(REGISTRY), ids=lambda contract: contract.id)
def test_every_rule_of_every_contract_runs_and_passes_on_the_example(contract):
    outcome = QualityEngine().run_contract(contract, {contract.record_name: [contract.example_record()]},
                                           scope="schedule")
    assert outcome.results
    assert {result.rule_key: result.status for result in outcome.results if result.status != "passed"} == {}


def bout(bout_id: str, card: str, date: str, red: str, blue: str, status: str = "completed") -> dict:
    example = REGISTRY.get("schedule", "bouts").example_record()
    return {**example, "bout_id": bout_id, "card_id": card, "card_date": date, "red_fighter_id": red,
            "blue_fighter_id": blue, "status": status}


def test_the_seeds_impossible_fighter_is_detected():
    # 2024 held two events; "ann" fought three completed bouts that year.
    bouts = [
        bout("b1", "card-1", "2024-03-01", "ann", "bea"),
        bout("b2", "card-2", "2024-09-01", "ann", "cat"),
        bout("b3", "card-2", "2024-09-01", "dee", "ann"),
        bout("b4", "card-3", "2025-01-10", "ann", "bea"),
    ]
    statuses = run("schedule", "bouts", bouts)
    assert statuses["bouts_per_year_within_events"] == "failed"
    assert statuses["one_bout_per_fighter_per_card"] == "failed"


def test_a_busy_but_possible_fighter_passes():
    bouts = [
        bout("b1", "card-1", "2024-03-01", "ann", "bea"),
        bout("b2", "card-2", "2024-09-01", "ann", "cat"),
        bout("b3", "card-2", "2024-09-01", "dee", "bea"),
        bout("b4", "card-2", "2024-09-01", "ann", "eve", status="cancelled"),  # called off: not fought
    ]
    statuses = run("schedule", "bouts", bouts)
    assert statuses["bouts_per_year_within_events"] == "passed"
    assert statuses["one_bout_per_fighter_per_card"] == "passed"


def test_a_record_whose_wins_do_not_add_up_fails():
    example = REGISTRY.get("stats", "fighter-records").example_record()
    good = {**example, "fighter_id": "f1", "wins": 3, "wins_by_ko_tko": 1, "wins_by_submission": 1,
            "wins_by_decision": 1, "wins_by_dq": 0, "losses": 1, "losses_by_ko_tko": 1, "losses_by_submission": 0,
            "losses_by_decision": 0}
    assert run("stats", "fighter-records", [good])["wins_add_up_measured"] == "passed"
    statuses = run("stats", "fighter-records", [good, {**good, "fighter_id": "f2", "wins": 4, "losses": 0}])
    assert (statuses["wins_add_up_measured"], statuses["losses_add_up_measured"]) == ("failed", "failed")


def test_a_result_whose_winner_or_method_contradicts_its_outcome_fails():
    example = REGISTRY.get("results", "bout-results").example_record()
    win = {**example, "outcome": "win", "method": "KO/TKO", "winner_fighter_id": example["red_fighter_id"],
           "judges_scores": None}
    assert run("results", "bout-results", [win])["winner_matches_outcome_measured"] == "passed"
    outsider = {**win, "bout_id": "other", "winner_fighter_id": "someone-else"}
    draw_by_ko = {**win, "bout_id": "third", "outcome": "draw", "winner_fighter_id": None}
    statuses = run("results", "bout-results", [win, outsider, draw_by_ko])
    assert statuses["winner_matches_outcome_measured"] == "failed"
    assert statuses["method_matches_outcome_measured"] == "failed"
