"""Pure parts of the glossary and the generated docs: term search with the catalog's syntax, the files watcher,
Markdown escaping of contract text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from catalog.adapters.glossary_files import GlossaryFiles
from catalog.domain.docs_markdown import code, text
from catalog.domain.glossary import search_terms
from catalog.domain.search_query import parse_query
from mesh_platform.contracts.glossary import Glossary, GlossaryTerm


def _glossary(*terms: GlossaryTerm) -> Glossary:
    return Glossary({term.id: term for term in terms})


DRAW = GlossaryTerm("draw", "Draw", "A bout that went the distance without a winner on the scorecards.", "results-team",
                    synonyms=("tie", "split draw"))
NO_CONTEST = GlossaryTerm("no-contest", "No contest", "A bout without a winner and without a draw, e.g. a foul.",
                          "results-team", synonyms=("NC",))
RECORD = GlossaryTerm("record", "Record (W-L-D-NC)", "Wins, losses, draws and no contests of a fighter.", "stats-team",
                      synonyms=("fight record",))
GLOSSARY = _glossary(DRAW, NO_CONTEST, RECORD)


def ids(query: str) -> list[str]:
    return [hit.term.id for hit in search_terms(GLOSSARY, parse_query(query))]


def test_a_blank_query_lists_every_term_by_name():
    assert ids("") == ["draw", "no-contest", "record"]


def test_a_name_hit_ranks_above_definition_hits():
    assert ids("draw") == ["draw", "no-contest"]  # words match whole, as in the FTS5 / 'simple' product search
    assert ids("draws") == ["record"]
    assert ids("nc") == ["record", "no-contest"]  # in the record's name, a synonym of no contest


def test_phrases_prefixes_or_and_exclusions_follow_the_catalog_syntax():
    assert ids('"split draw"') == ["draw"]
    assert ids('"draw split"') == []
    assert ids("contes*") == ["no-contest", "record"]
    assert ids("tie OR foul") == ["draw", "no-contest"]
    assert ids("draw -foul") == ["draw"]
    assert ids("W-L-D-NC") == ["record"]


def test_the_files_watcher_picks_up_added_changed_and_broken_terms(tmp_path: Path):
    files = GlossaryFiles(tmp_path, recheck_seconds=0)
    assert len(files.current()) == 0
    term = {"id": "streak", "businessName": "Streak", "owner": "stats-team",
            "description": "A run of wins or of losses in a row, ended by any other result."}
    (tmp_path / "streak.yaml").write_text(yaml.safe_dump(term), encoding="utf-8")
    assert files.current().get("streak").name == "Streak"

    (tmp_path / "streak.yaml").write_text(yaml.safe_dump({**term, "businessName": "Win streak"}), encoding="utf-8")
    assert files.current().get("streak").name == "Win streak"

    (tmp_path / "broken.yaml").write_text("id: [", encoding="utf-8")
    glossary = files.current()
    assert [t.id for t in glossary] == ["streak"] and glossary.problems[0].rule == "glossary-yaml"


def test_no_glossary_directory_is_an_empty_glossary():
    assert len(GlossaryFiles(None).current()) == 0


@pytest.mark.parametrize("raw", [
    "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "**bold** and `code`", "# heading", "1. item",
    "- item", "a | b", "&amp; entity", "> quote", "![image](http://example.org/x.png)",
])
def test_contract_text_renders_as_exactly_that_text(raw: str):
    rendered = MarkdownIt("commonmark", {"html": False}).renderInline(text(raw))

    unescaped = (rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))
    assert unescaped == raw


def test_code_spans_hold_backticks_and_pipes():
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")

    cell = renderer.render(f"| a |\n|---|\n| {code('x`y|z')} |\n")

    assert "<code>x`y|z</code>" in cell
