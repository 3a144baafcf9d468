"""Finding and loading contracts: the registry, the contracts directory, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mesh_platform.contracts.errors import ContractError, ContractsDirNotFound, UnknownDataProduct
from mesh_platform.contracts.loading import ContractRegistry, default_contracts_dir, load_contract_file

from .contract_documents import CONTRACTS_DIR, ContractDocuments, as_deprecated, as_major_two

D = ContractDocuments


def _with_v2(tmp_path: Path, docs: ContractDocuments) -> Path:
    docs.write(tmp_path, as_deprecated(docs.load("roster", "fighters"), "2031-01-31"), "roster/fighters.v1.odcs.yaml")
    docs.write(tmp_path, as_major_two(docs.load("roster", "fighters")), "roster/fighters.odcs.yaml")
    return tmp_path


def test_registry_finds_products_by_domain_product_and_major(registry: ContractRegistry) -> None:
    assert len(registry) == 6
    assert registry.domains == ["results", "roster", "schedule", "stats"]
    assert [c.product for c in registry.for_domain("schedule")] == ["bouts", "event-cards"]
    assert registry.get("schedule", "bouts", 1).key_field == "bout_id"
    assert registry.for_event_type("octagon.stats.ranking.updated.v1").id == "stats.rankings"
    assert registry.for_topic("results.bout-results.v1").id == "results.bout-results"


@pytest.mark.parametrize(
    "lookup",
    [
        lambda r: r.get("roster", "fighters", 2),
        lambda r: r.get("roster", "coaches"),
        lambda r: r.for_event_type("octagon.roster.fighter.cloned.v1"),
        lambda r: r.for_topic("roster.coaches.v1"),
    ],
    ids=["unknown major", "unknown product", "unknown event type", "unknown topic"],
)
def test_unknown_lookups_raise_unknown_data_product(registry: ContractRegistry, lookup) -> None:
    with pytest.raises(UnknownDataProduct):
        lookup(registry)


def test_two_majors_of_a_product_are_live_side_by_side(tmp_path: Path, docs: ContractDocuments) -> None:
    registry = ContractRegistry.from_directory(_with_v2(tmp_path, docs))
    assert registry.majors("roster", "fighters") == [1, 2]
    assert registry.get("roster", "fighters").major == 2
    old = registry.get("roster", "fighters", 1)
    assert old.deprecated and str(old.sunset) == "2031-01-31"
    assert registry.successor(old).http_path == "/data-products/fighters/v2"
    assert registry.successor(registry.get("roster", "fighters", 2)) is None
    assert registry.for_event_type("octagon.roster.fighter.registered.v1").major == 1


def test_same_major_in_two_files_is_refused(tmp_path: Path, docs: ContractDocuments) -> None:
    docs.write(tmp_path, docs.load("roster", "fighters"), "roster/fighters.odcs.yaml")
    docs.write(tmp_path, docs.load("roster", "fighters"), "roster/fighters.v1.odcs.yaml")
    with pytest.raises(ContractError, match="major 1 is also defined by"):
        ContractRegistry.from_directory(tmp_path)


def test_file_whose_name_and_id_disagree_names_file_and_path(tmp_path: Path, docs: ContractDocuments) -> None:
    file = docs.write(tmp_path, docs.load("roster", "fighters"), "roster/athletes.odcs.yaml")
    with pytest.raises(ContractError) as error:
        load_contract_file(file)
    assert (error.value.source, error.value.path) == (str(file), "id")
    assert "roster.athletes" in error.value.reason


def test_file_name_major_must_match_the_version(tmp_path: Path, docs: ContractDocuments) -> None:
    file = docs.write(tmp_path, docs.load("roster", "fighters"), "roster/fighters.v2.odcs.yaml")
    with pytest.raises(ContractError, match="major 1 but the file name says v2"):
        load_contract_file(file)


def test_invalid_contract_fails_to_load_naming_the_path(tmp_path: Path, docs: ContractDocuments) -> None:
    document = docs.load("schedule", "bouts")
    D.prop(document, "order_on_card")["logicalType"] = "int"
    file = docs.write(tmp_path, document, "schedule/bouts.odcs.yaml")
    with pytest.raises(ContractError) as error:
        ContractRegistry.from_directory(tmp_path)
    assert error.value.source == str(file)
    assert error.value.path == "schema[bouts].properties[order_on_card].logicalType"
    assert str(error.value).startswith(f"{file}: schema[bouts].properties[order_on_card].logicalType: unknown")


def test_contracts_dir_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESH_CONTRACTS_DIR", str(tmp_path))
    assert default_contracts_dir() == tmp_path
    monkeypatch.setenv("MESH_CONTRACTS_DIR", str(tmp_path / "missing"))
    with pytest.raises(ContractsDirNotFound):
        default_contracts_dir()


def test_contracts_dir_is_found_walking_up_from_a_nested_directory(
    tmp_path: Path, docs: ContractDocuments, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MESH_CONTRACTS_DIR", raising=False)
    docs.write(tmp_path / "contracts", docs.load("roster", "fighters"), "roster/fighters.odcs.yaml")
    nested = tmp_path / "domains" / "roster" / "src"
    nested.mkdir(parents=True)
    assert default_contracts_dir(nested) == (tmp_path / "contracts").resolve()


def test_contracts_dir_falls_back_to_the_repository_of_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MESH_CONTRACTS_DIR", raising=False)
    assert default_contracts_dir(tmp_path) == CONTRACTS_DIR.resolve()
