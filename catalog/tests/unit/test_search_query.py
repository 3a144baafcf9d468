"""The catalog's search syntax: what it accepts, what it compiles to, and the reasons it refuses a query."""

from __future__ import annotations

import re

import pytest

from catalog.domain.search_query import SearchSyntaxError, parse_query, to_fts5, to_tsquery


def fts5(query: str) -> str:
    tree = parse_query(query)
    assert tree is not None
    return to_fts5(tree)


def tsquery(query: str) -> str:
    tree = parse_query(query)
    assert tree is not None
    return to_tsquery(tree)


def test_blank_query_matches_everything():
    assert parse_query("   ") is None


def test_words_are_all_required_and_quoted_for_fts5():
    assert fts5("fighters roster") == '("fighters" AND "roster")'
    assert tsquery("fighters roster") == "((fighters) & (roster))"


def test_field_names_are_split_like_the_tokenizer_splits_them():
    assert fts5("date_of_birth") == '"date of birth"'
    assert tsquery("date_of_birth") == "(date <-> of <-> birth)"


def test_phrases_prefixes_or_and_exclusions():
    assert fts5('"weight class" OR stance') == '("weight class" OR "stance")'
    assert fts5("fight*") == '"fight" *'
    assert tsquery("fight*") == "(fight:*)"
    assert fts5("fighters -retired") == '(("fighters") NOT "retired")'
    assert tsquery("fighters NOT (retired OR suspended)") == "((fighters) & !((retired) | (suspended)))"


def test_words_are_lower_cased_and_stripped_of_query_operators():
    assert fts5('Fighters AND "NEAR(x)"') == '("fighters" AND "near x")'
    assert tsquery("o'brien & co") == "((o <-> brien) & (co))"


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('"unclosed', "unterminated phrase"),
        ("(fighters", "never closed"),
        ("fighters)", "unexpected ')'"),
        ("fighters OR", "OR must be followed"),
        ("OR fighters", "OR must come between"),
        ("fighters AND", "AND must be followed"),
        ("-retired", "not only exclusions"),
        ("()", "empty parentheses"),
        ('""', "empty phrase"),
        ("&&", "nothing to look for"),
        ("x" * 501, "longer than 500"),
    ],
)
def test_invalid_queries_are_refused_with_the_reason(query, reason):
    with pytest.raises(SearchSyntaxError, match=re.escape(reason)):
        parse_query(query)
