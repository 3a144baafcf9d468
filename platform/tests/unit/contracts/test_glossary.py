"""The business glossary beside the contracts: term files, the links contract fields make, and lint's glossary rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from mesh_platform.contracts.glossary import field_terms, glossary_link_problems, load_glossary, term_link
from mesh_tools.cli.contracts_command import contracts_app
from mesh_tools.contracts.lint import lint_paths

from .contract_documents import CONTRACTS_DIR, PRODUCTS, ContractDocuments

GLOSSARY_DIR = CONTRACTS_DIR / "glossary"


def _term(term_id: str, **changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "id": term_id,
        "businessName": term_id.replace("-", " ").capitalize(),
        "description": f"What {term_id} means to the promotion, in a full sentence.",
        "owner": "stats-team",
    }
    document.update(changes)
    return document


def _write_term(directory: Path, document: dict[str, object], name: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name or document['id']}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _contracts_copy(tmp_path: Path) -> Path:
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS_DIR, root)
    return root


def test_the_repository_glossary_loads_without_problems_and_defines_the_issue_terms() -> None:
    glossary = load_glossary(GLOSSARY_DIR)

    assert glossary.problems == []
    for term_id in ("fighter", "bout", "card", "title-bout", "main-event", "record", "ranking", "no-contest", "draw",
                    "weight-class", "method-of-victory", "round", "judges-scorecard", "retirement"):
        term = glossary.get(term_id)
        assert term is not None, term_id
        assert term.owner in {"roster-team", "schedule-team", "results-team", "stats-team"}
        assert len(term.definition) > 40
    assert glossary.term_for_label("event card").id == "card"
    assert glossary.term_for_label("Championship bout").id == "title-bout"
    assert glossary.term_for_label("judges scores").id == "judges-scorecard"


def test_domain_facts_in_definitions_match_the_design() -> None:
    glossary = load_glossary(GLOSSARY_DIR)
    weight_class = glossary.get("weight-class").definition
    for limit in ("flyweight 125", "bantamweight 135", "featherweight 145", "lightweight 155", "welterweight 170",
                  "middleweight 185", "light heavyweight 205", "heavyweight 265", "strawweight 115"):
        assert limit in weight_class
    assert "five minutes" in glossary.get("round").definition
    assert "five rounds" in glossary.get("title-bout").definition
    assert "five rounds" in glossary.get("main-event").definition
    assert "neither a win nor a loss" in glossary.get("no-contest").definition


def test_every_contract_field_named_like_a_term_links_to_it_and_every_link_resolves() -> None:
    glossary = load_glossary(GLOSSARY_DIR)
    docs = ContractDocuments()
    linked_products = set()
    for domain, product in PRODUCTS:
        document = docs.load(domain, product)
        assert glossary_link_problems(document, glossary) == [], f"{domain}/{product}"
        if any(spec.terms for spec in field_terms(document)):
            linked_products.add((domain, product))
    assert linked_products == set(PRODUCTS)


def test_field_terms_reads_links_of_nested_fields_with_their_payload_path() -> None:
    document = ContractDocuments().load("stats", "rankings")

    terms = {spec.path: spec.terms for spec in field_terms(document)}

    assert terms["weight_class"] == ("weight-class",)
    assert terms["entries[].rating"] == ("elo-rating",)
    assert terms["entries[].name"] == ()


def test_a_term_file_whose_id_and_file_name_disagree_is_left_out_with_a_reason(tmp_path: Path) -> None:
    _write_term(tmp_path, _term("ranking"), name="rankings")

    glossary = load_glossary(tmp_path)

    assert len(glossary) == 0
    assert [(Path(p.file).name, p.path, p.rule) for p in glossary.problems] == [
        ("rankings.yaml", "id", "glossary-term-file")
    ]


def test_a_term_file_must_follow_the_term_schema(tmp_path: Path) -> None:
    _write_term(tmp_path, _term("streak", owner="Stats", synonyms=["run"], colour="red"))
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")

    glossary = load_glossary(tmp_path)

    assert len(glossary) == 0
    found = {(Path(p.file).name, p.rule, p.path) for p in glossary.problems}
    assert ("streak.yaml", "glossary-term-file", "owner") in found
    assert ("streak.yaml", "glossary-term-file", "synonyms[0]") in found
    assert ("streak.yaml", "glossary-term-file", "(document)") in found  # colour: not a term element
    assert any(name == "broken.yaml" and rule == "glossary-yaml" for name, rule, _ in found)


def test_unknown_related_terms_and_a_word_claimed_by_two_terms_are_problems(tmp_path: Path) -> None:
    _write_term(tmp_path, _term("draw", relatedTerms=["tie-break"], synonyms=[{"synonym": "tie"}]))
    _write_term(tmp_path, _term("stalemate", synonyms=[{"synonym": "Tie"}]))

    glossary = load_glossary(tmp_path)

    assert {(p.rule, p.path) for p in glossary.problems} == {
        ("glossary-related", "relatedTerms[tie-break]"),
        ("glossary-synonym", "synonyms"),
    }
    assert glossary.term_for_label("tie").id == "draw"


def test_linking_an_undefined_term_is_a_lint_error_naming_the_field(tmp_path: Path) -> None:
    root = _contracts_copy(tmp_path)
    file = root / "stats" / "rankings.odcs.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("../glossary/elo-rating.yaml", "../glossary/glicko.yaml"),
                    encoding="utf-8")

    report = lint_paths([root])

    assert [(f.file, f.path, f.rule) for f in report.errors] == [
        (str(file), "schema[rankings].properties[entries].items.properties[rating].authoritativeDefinitions",
         "glossary-term")
    ]
    assert "'glicko' is not defined" in report.errors[0].message
    assert not report.ok


def test_a_relative_link_outside_the_glossary_is_an_error_and_an_absolute_one_is_an_outside_reference(
    tmp_path: Path,
) -> None:
    root = _contracts_copy(tmp_path)
    file = root / "stats" / "rankings.odcs.yaml"
    text = file.read_text(encoding="utf-8")
    text = text.replace("../glossary/elo-rating.yaml", "https://en.wikipedia.org/wiki/Elo_rating_system")
    text = text.replace("url: ../glossary/ranking.yaml}", "url: ../glosary/ranking.yaml}", 1)
    file.write_text(text, encoding="utf-8")

    report = lint_paths([root])

    assert [(f.path, f.rule) for f in report.errors] == [
        ("schema[rankings].properties[entries].authoritativeDefinitions[0].url", "glossary-term")
    ]
    # The rating field now links only outside: its name ("rating", a synonym of Elo rating) earns a warning.
    assert [(f.path, f.rule) for f in report.warnings] == [
        ("schema[rankings].properties[entries].items.properties[rating].authoritativeDefinitions", "glossary-link"),
    ]


def test_a_field_named_like_a_term_without_a_link_is_a_warning_and_lint_still_passes(tmp_path: Path) -> None:
    root = _contracts_copy(tmp_path)
    file = root / "schedule" / "bouts.odcs.yaml"
    text = file.read_text(encoding="utf-8")
    link = "        authoritativeDefinitions:\n          - {type: businessDefinition, url: ../glossary/title-bout.yaml}\n"
    assert link in text
    file.write_text(text.replace(link, ""), encoding="utf-8")

    result = CliRunner().invoke(contracts_app, ["lint", str(root), "--format", "json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(f["path"], f["rule"], f["severity"]) for f in report["findings"]] == [
        ("schema[bouts].properties[title_bout].authoritativeDefinitions", "glossary-link", "warning")
    ]
    assert term_link("title-bout") in report["findings"][0]["message"]


def test_a_broken_term_file_fails_lint_with_the_term_file_named(tmp_path: Path) -> None:
    root = _contracts_copy(tmp_path)
    term_file = root / "glossary" / "streak.yaml"
    document = yaml.safe_load(term_file.read_text(encoding="utf-8"))
    del document["owner"]
    term_file.write_text(yaml.safe_dump(document), encoding="utf-8")

    result = CliRunner().invoke(contracts_app, ["lint", str(root)])

    assert result.exit_code == 1
    assert "streak.yaml" in result.output and "glossary-term-file" in result.output
    # The field that links the now unreadable term is an error too.
    assert "fighter-records.odcs.yaml" in result.output and "'streak' is not defined" in result.output
