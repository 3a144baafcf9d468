"""SQL (DuckDB dialect) for quality rules: library metrics as generated queries, ``sql`` rules rendered.

Every generated query returns one row ``(bad, total)``: the rows the metric counts and the rows it counts them
among (the base of ``unit: percent``). :func:`offending_rows_sql` returns the row numbers (``__row``) a property
metric counts, so a batch check can name the events that failed. Values are passed as parameters, never pasted
into the text; names are quoted identifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mesh_platform.quality.rules import DEFAULT_MISSING_VALUES, QualityRule

ROW_COLUMN = "__row"
"""The row-number column the engine adds to every loaded object (0-based, in the order records were given)."""

_PLACEHOLDER = re.compile(r"\$?\{\s*(object|table|model|property|column|field)\s*\}")


@dataclass(frozen=True)
class Query:
    """SQL text and its positional parameters."""

    text: str
    parameters: tuple[Any, ...] = ()


def quote(name: str) -> str:
    """``name`` as a DuckDB quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def measure_sql(rule: QualityRule, table: str) -> Query:
    """The query measuring a library rule over ``table``: one row ``(bad, total)``."""
    source = quote(table)
    if rule.metric == "rowCount":
        return Query(f"SELECT count(*), count(*) FROM {source}")
    if rule.metric == "duplicateValues":
        return _duplicates_sql(rule, source)
    predicate = bad_row_predicate(rule)
    return Query(
        f"SELECT count(*) FILTER (WHERE {predicate.text}), count(*) FROM {source}", predicate.parameters
    )


def offending_rows_sql(rule: QualityRule, table: str) -> Query | None:
    """The ``__row`` numbers of the rows a property metric counts (ordered), or None for rules without rows."""
    source = quote(table)
    if rule.kind != "library" or rule.property_name is None or rule.metric == "rowCount":
        return None
    if rule.metric == "duplicateValues":
        column = quote(rule.property_name)
        return Query(
            f"SELECT {ROW_COLUMN} FROM (SELECT {ROW_COLUMN}, row_number() OVER "
            f"(PARTITION BY {column} ORDER BY {ROW_COLUMN}) AS copy FROM {source} WHERE {column} IS NOT NULL) "
            f"WHERE copy > 1 ORDER BY {ROW_COLUMN}"
        )
    predicate = bad_row_predicate(rule)
    return Query(f"SELECT {ROW_COLUMN} FROM {source} WHERE {predicate.text} ORDER BY {ROW_COLUMN}", predicate.parameters)


def bad_row_predicate(rule: QualityRule) -> Query:
    """The condition that makes a row count for ``nullValues``, ``missingValues`` or ``invalidValues``."""
    assert rule.property_name is not None
    column = quote(rule.property_name)
    if rule.metric == "nullValues":
        return Query(f"{column} IS NULL")
    if rule.metric == "missingValues":
        listed = rule.arguments.get("missingValues")
        return _missing(column, DEFAULT_MISSING_VALUES if listed is None else tuple(listed))
    if rule.metric == "invalidValues":
        # As in datacontract-cli (and Soda): a missing value is not also invalid; missing means null unless the
        # rule lists its own missingValues.
        missing = _missing(column, tuple(rule.arguments.get("missingValues") or (None,)))
        valid_terms: list[str] = []
        parameters: list[Any] = list(missing.parameters)
        valid_values = rule.arguments.get("validValues")
        if valid_values is not None:
            membership = _membership(column, [value for value in valid_values if value is not None])
            valid_terms.append(membership.text)
            parameters.extend(membership.parameters)
        pattern = rule.arguments.get("pattern")
        if pattern is not None:
            # Search semantics, like JSON Schema's `pattern`: anchor the expression to match the whole value.
            valid_terms.append(f"regexp_matches(CAST({column} AS VARCHAR), ?)")
            parameters.append(pattern)
        valid = " AND ".join(valid_terms)
        return Query(f"NOT ({missing.text}) AND NOT ({valid})", tuple(parameters))
    raise ValueError(f"{rule.metric} has no row predicate")


def render_sql_rule(rule: QualityRule, table: str) -> str:
    """A ``sql`` rule's query with ``{object}``/``{property}`` (and ``${table}``, ``${column}``...) substituted."""
    assert rule.query is not None

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in ("object", "table", "model"):
            return quote(table)
        if rule.property_name is None:
            raise ValueError(f"{match.group(0)} names a property, but the rule is declared on {rule.object_name}")
        return quote(rule.property_name)

    return _PLACEHOLDER.sub(substitute, rule.query)


def _duplicates_sql(rule: QualityRule, source: str) -> Query:
    """Extra copies: rows whose (non-null) value, or combination of values, an earlier row already had."""
    if rule.property_name is not None:
        columns = [rule.property_name]
    else:
        columns = list(rule.arguments.get("properties") or [])
    if not columns:  # whole records compared (every column but the row number)
        return Query(
            f"SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE ({ROW_COLUMN}) FROM {source})), "
            f"count(*) FROM {source}"
        )
    quoted = ", ".join(quote(name) for name in columns)
    present = " AND ".join(f"{quote(name)} IS NOT NULL" for name in columns)
    return Query(
        f"SELECT (SELECT count(*) FROM {source} WHERE {present}) - "
        f"(SELECT count(*) FROM (SELECT DISTINCT {quoted} FROM {source} WHERE {present})), count(*) FROM {source}"
    )


def _missing(column: str, values: tuple[Any, ...]) -> Query:
    terms = []
    parameters: tuple[Any, ...] = ()
    if None in values:
        terms.append(f"{column} IS NULL")
    listed = [value for value in values if value is not None]
    if listed:
        membership = _membership(column, listed)
        terms.append(membership.text)
        parameters = membership.parameters
    return Query(" OR ".join(terms) or "false", parameters)


def _membership(column: str, values: list[Any]) -> Query:
    """``column`` is one of ``values``, compared as text (so a list of numbers works on any column type)."""
    if not values:
        return Query("false")
    marks = ", ".join("?" for _ in values)
    return Query(f"CAST({column} AS VARCHAR) IN ({marks})", tuple(_as_text(value) for value in values))


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
