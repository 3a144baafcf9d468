"""Documentation of one product major, generated from its registered contract as Markdown.

One text serves both readers: ``GET /api/v1/data-products/<domain>/<product>/v<major>/docs.md`` hands it out as
``text/markdown``, and the catalog's docs page renders the same text as HTML. Everything comes from the contract
(descriptions, fields, examples, quality rules, SLOs, ports, event types), the glossary (terms of the fields) and the
catalog's own configuration (its URL, the service URLs it knows); nothing a registration claims is fetched.

Contract text is escaped for Markdown (catalog.domain.docs_markdown); the "How to consume" sections are in
catalog.domain.docs_ports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from catalog.domain.contract_view import FieldRow, ports, quality_rules, record_fields, slos
from catalog.domain.docs_markdown import DocsContext, code, contract_url, example_record, fenced, text
from catalog.domain.docs_ports import http_section, kafka_section, other_ports_section
from catalog.domain.model import DataProduct, ProductVersion
from mesh_platform.contracts.glossary import GlossaryTerm

_OPERATORS = {"mustBe": "must be", "mustNotBe": "must not be", "mustBeLessThan": "must be less than",
              "mustBeLessOrEqualTo": "must be at most", "mustBeGreaterThan": "must be more than",
              "mustBeGreaterOrEqualTo": "must be at least", "mustBeBetween": "must be between",
              "mustNotBeBetween": "must not be between"}


def product_docs_markdown(
    product: DataProduct, version: ProductVersion, terms: Mapping[str, Sequence[GlossaryTerm | str]], context: DocsContext
) -> str:
    """The documentation page of ``version`` of ``product`` as Markdown (CommonMark with GFM tables)."""
    contract = version.contract
    found_ports = ports(contract)
    fields = record_fields(contract)
    sections = [
        _header(product, version, contract, context),
        _description(contract),
        _schema(contract, fields, terms, context),
        _example(contract, fields),
        _quality(contract),
        _slos(contract),
        _terms(terms, fields, context),
        http_section(product, version, contract, found_ports, fields, context),
        kafka_section(product, version, contract, found_ports, fields, context),
        other_ports_section(contract, context),
        _versions(product, version, context),
    ]
    return "\n\n".join(section.strip() for section in sections if section.strip()) + "\n"


# sections ---------------------------------------------------------------------------------------------------------


def _header(product: DataProduct, version: ProductVersion, contract: Mapping[str, Any], context: DocsContext) -> str:
    schema_url = contract_url(context.catalog_url, product, version.major)
    lines = [
        f"# {text(product.name)} — {code(f'{product.domain}/{product.product}')} v{version.major}",
        "",
        "| | |",
        "|---|---|",
        f"| Version | {code(version.version)} ({text(version.status.value)}) |",
        f"| Owner | {text(product.owner or 'unknown')} |",
        f"| Domain | [{text(product.domain)}]({context.link_base}/domains/{product.domain}) |",
        f"| Tags | {', '.join(code(tag) for tag in product.tags) or '—'} |",
        f"| Contract | [ODCS YAML]({schema_url}?format=yaml) · [JSON]({schema_url}) (the `ce_dataschema` of its events) |",
        f"| Catalog | [product page]({context.link_base}/products/{product.domain}/{product.product}) · "
        f"[lineage]({context.link_base}/lineage?nodeId=dataset:octagon.{product.domain}:{product.product}.v{version.major}) |",
    ]
    for channel in contract.get("support") or []:
        if isinstance(channel, Mapping):
            url = str(channel.get("url") or "")
            target = f"[{text(channel.get('channel'))}]({url})" if url.startswith(("https://", "http://", "mailto:")) \
                else text(channel.get("channel"))
            lines.append(f"| Support ({text(channel.get('scope') or channel.get('tool'))}) | {target} — "
                         f"{text(channel.get('description'))} |")
    if version.status.value == "deprecated":
        sunset = f" It is served until **{version.sunset_date}**." if version.sunset_date else ""
        lines += ["", f"> **Deprecated.**{sunset} Move to the newest major of this product."]
    return "\n".join(lines)


def _description(contract: Mapping[str, Any]) -> str:
    description = contract.get("description") or {}
    if not isinstance(description, Mapping):
        return f"## Purpose\n\n{text(description)}"
    parts = []
    for part in ("purpose", "usage", "limitations"):
        if description.get(part):
            parts.append(f"## {part.capitalize()}\n\n{text(description[part])}")
    return "\n\n".join(parts)


def _schema(
    contract: Mapping[str, Any], fields: Sequence[FieldRow], terms: Mapping[str, Sequence[GlossaryTerm | str]],
    context: DocsContext,
) -> str:
    record = next((o for o in contract.get("schema") or [] if isinstance(o, Mapping)), {})
    lines = [f"## Record {code(record.get('name', ''))}", ""]
    if record.get("description"):
        lines += [text(record.get("description")) + (
            f" {text(record['dataGranularityDescription'])}" if record.get("dataGranularityDescription") else ""), ""]
    lines += ["| Field | Type | Required | Classification | Business term | Description |",
              "|---|---|---|---|---|---|"]
    for row in fields:
        marks = " (key)" if row.primary_key else ""
        marks += " (PII)" if row.pii else ""
        linked = ", ".join(_term_link(term, context) for term in terms.get(row.path, ())) or "—"
        lines.append(f"| {code(row.path)}{marks} | {text(row.logical_type)} | {'yes' if row.required else 'no'} | "
                     f"{text(row.classification or '—')} | {linked} | {text(row.description)} |")
    lines += ["", "Required means always present and never null; other fields may be null or absent. Responses and "
              "events follow the record exactly (no other fields)."]
    return "\n".join(lines)


def _example(contract: Mapping[str, Any], fields: Sequence[FieldRow]) -> str:
    example = example_record(contract)
    if not example:
        return ""
    pii = [row.path for row in fields if row.pii]
    lines = ["## Example record", "",
             "Made of each field's first example in the contract (it shows the shape of a record; the examples of "
             "different fields were not necessarily written as one consistent record):", "",
             fenced(json.dumps(example, indent=2, ensure_ascii=False), "json")]
    if pii:
        lines += ["", f"Personal data ({', '.join(code(p) for p in pii)}) is `null` in HTTP responses unless the "
                  "token holds the product's PII scope."]
    return "\n".join(lines)


def _quality(contract: Mapping[str, Any]) -> str:
    rules = quality_rules(contract)
    if not rules:
        return "## Quality rules\n\nNone declared."
    lines = ["## Quality rules", "", "| Rule | Field | Dimension | Check |", "|---|---|---|---|"]
    for rule in rules:
        lines.append(f"| {code(rule.get('id') or rule.get('name') or rule.get('metric') or 'rule')} | "
                     f"{code(rule['field']) if rule.get('field') else 'record'} | {text(rule.get('dimension') or '—')} | "
                     f"{_check(rule)} |")
    lines += ["", "Rules of type text are invariants across fields: the owning domain enforces them when it "
              "writes; they are not part of the derived JSON Schema."]
    return "\n".join(lines)


def _check(rule: Mapping[str, Any]) -> str:
    parts = []
    valid = (rule.get("arguments") or {}).get("validValues") if isinstance(rule.get("arguments"), Mapping) else None
    if valid:
        parts.append("one of " + ", ".join(code(v) for v in valid))
    elif rule.get("metric"):
        operator = next((op for op in _OPERATORS if op in rule), None)
        parts.append(f"{code(rule['metric'])}" + (f" {_OPERATORS[operator]} {code(rule[operator])}" if operator else ""))
    if rule.get("query"):
        operator = next((op for op in _OPERATORS if op in rule), None)
        parts.append(f"SQL {code(rule['query'])}" + (f" {_OPERATORS[operator]} {code(rule[operator])}" if operator else ""))
    if rule.get("description"):
        parts.append(text(rule["description"]))
    return " — ".join(parts) or "—"


def _slos(contract: Mapping[str, Any]) -> str:
    declared = slos(contract)
    if not declared:
        return "## Service levels\n\nNone declared."
    lines = ["## Service levels", "", "| Objective | Target | Measured on | Meaning |", "|---|---|---|---|"]
    for slo in declared:
        lines.append(f"| {text(slo.get('property'))} | {text(slo.get('value'))} {text(slo.get('unit') or '')} | "
                     f"{code(slo['element']) if slo.get('element') else '—'} | {text(slo.get('description') or '')} |")
    return "\n".join(lines)


def _terms(terms: Mapping[str, Sequence[GlossaryTerm | str]], fields: Sequence[FieldRow], context: DocsContext) -> str:
    by_term: dict[str, tuple[GlossaryTerm | str, list[str]]] = {}
    for row in fields:
        for term in terms.get(row.path, ()):
            key = term if isinstance(term, str) else term.id
            by_term.setdefault(key, (term, []))[1].append(row.path)
    if not by_term:
        return ""
    lines = ["## Business terms", ""]
    for term, paths in sorted(by_term.values(), key=lambda item: _term_name(item[0]).lower()):
        where = ", ".join(code(p) for p in paths)
        if isinstance(term, str):
            lines.append(f"- **{text(term)}** — not defined in the glossary. Fields: {where}.")
        else:
            lines.append(f"- **{_term_link(term, context)}** ({text(term.owner)}) — {text(term.definition)} "
                         f"Fields: {where}.")
    return "\n".join(lines)






def _versions(product: DataProduct, version: ProductVersion, context: DocsContext) -> str:
    if len(product.versions) < 2:
        return ""
    lines = ["## Other majors", "", "| Major | Version | Status | Sunset | Documentation |", "|---|---|---|---|---|"]
    for other in sorted(product.versions.values(), key=lambda v: -v.major):
        if other.major == version.major:
            continue
        link = f"{context.link_base}/products/{product.domain}/{product.product}/v{other.major}/docs"
        lines.append(f"| v{other.major} | {code(other.version)} | {text(other.status.value)} | "
                     f"{other.sunset_date or '—'} | [docs]({link}) |")
    return "\n".join(lines)


# helpers ----------------------------------------------------------------------------------------------------------


def _term_name(term: GlossaryTerm | str) -> str:
    return term if isinstance(term, str) else term.name


def _term_link(term: GlossaryTerm | str, context: DocsContext) -> str:
    if isinstance(term, str):
        return f"{text(term)} (undefined)"
    return f"[{text(term.name)}]({context.link_base}/glossary/{term.id})"


