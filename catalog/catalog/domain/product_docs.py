"""Documentation of one product major, generated from its registered contract as Markdown.

One text serves both readers: ``GET /api/v1/data-products/<domain>/<product>/v<major>/docs.md`` hands it out as
``text/markdown``, and the catalog's docs page renders the same text as HTML. Everything comes from the contract
(descriptions, fields, examples, quality rules, SLOs, ports, event types), the glossary (terms of the fields) and the
catalog's own configuration (its URL, the service URLs it knows); nothing a registration claims is fetched.

Contract text is escaped for Markdown: descriptions are written by the product's team, and whatever they hold stays
text (no markup, no raw HTML, no links) when the page is rendered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.domain.analytical_reading import reading_snippets
from catalog.domain.contract_view import FieldRow, Ports, ports, quality_rules, record_fields, slos
from catalog.domain.model import DataProduct, ProductVersion
from mesh_platform.contracts.glossary import GlossaryTerm

# Inline markup characters (``_`` is left alone: CommonMark never emphasises inside snake_case words) ...
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|~!&])")
# ... and what would open a block (heading, list, quote, thematic break) at the start of a paragraph.
_BLOCK_MARK = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=\s|$)|>)")
_ORDERED_MARK = re.compile(r"^(\d+)([.)])(?=\s|$)")
_WITHHELD_FIELDS = "withheldFields"
_OPERATORS = {"mustBe": "must be", "mustNotBe": "must not be", "mustBeLessThan": "must be less than",
              "mustBeLessOrEqualTo": "must be at most", "mustBeGreaterThan": "must be more than",
              "mustBeGreaterOrEqualTo": "must be at least", "mustBeBetween": "must be between",
              "mustNotBeBetween": "must not be between"}
_KNOWN_SERVER_TYPES = ("api", "kafka")
_ANALYTICAL_ID = "analytical"  # the api server that is the analytical port (mesh_platform.contracts.product)


@dataclass(frozen=True)
class DocsContext:
    """What the page needs besides the contract: where links point and what the catalog knows of the service."""

    link_base: str  # "" for pages of the catalog itself, the catalog's public URL for Markdown read elsewhere
    catalog_url: str  # the catalog's public URL (token endpoint, contract URL = ce_dataschema)
    service_url: str | None  # where the domain's service runs, from the catalog's configuration only
    snippets: Mapping[str, str]  # copy-paste lines (curl, kafka-python) as the product page shows them


def text(value: Any) -> str:
    """Contract text as inert Markdown: one line, markup characters escaped (it renders as the very text)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value or "").split()))
    return _ORDERED_MARK.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", escaped))


def code(value: Any) -> str:
    """An inline code span that holds ``value`` whatever backticks it contains (``|`` escaped: spans sit in tables)."""
    raw = " ".join(str(value).split()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", raw)), default=0) + 1)
    padding = " " if raw.startswith("`") or raw.endswith("`") else ""
    return f"{fence}{padding}{raw}{padding}{fence}"


def fenced(body: str, info: str = "") -> str:
    """A fenced code block longer than any backtick run inside ``body``."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    return f"{fence}{info}\n{body.rstrip()}\n{fence}"


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
        _http(product, version, contract, found_ports, fields, context),
        _kafka(product, version, contract, found_ports, fields, context),
        _other_ports(contract, context),
        _versions(product, version, context),
    ]
    return "\n\n".join(section.strip() for section in sections if section.strip()) + "\n"


# sections ---------------------------------------------------------------------------------------------------------


def _header(product: DataProduct, version: ProductVersion, contract: Mapping[str, Any], context: DocsContext) -> str:
    contract_url = _contract_url(context.catalog_url, product, version.major)
    lines = [
        f"# {text(product.name)} — {code(f'{product.domain}/{product.product}')} v{version.major}",
        "",
        "| | |",
        "|---|---|",
        f"| Version | {code(version.version)} ({text(version.status.value)}) |",
        f"| Owner | {text(product.owner or 'unknown')} |",
        f"| Domain | [{text(product.domain)}]({context.link_base}/domains/{product.domain}) |",
        f"| Tags | {', '.join(code(tag) for tag in product.tags) or '—'} |",
        f"| Contract | [ODCS YAML]({contract_url}?format=yaml) · [JSON]({contract_url}) (the `ce_dataschema` of its events) |",
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


def example_record(contract: Mapping[str, Any]) -> dict[str, Any]:
    """A record made of each top-level field's first example (nested fields are in their parent's example)."""
    record = next((o for o in contract.get("schema") or [] if isinstance(o, Mapping)), {})
    example: dict[str, Any] = {}
    for prop in record.get("properties") or []:
        if isinstance(prop, Mapping) and prop.get("examples"):
            example[str(prop.get("name"))] = prop["examples"][0]
    return example


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


def _http(
    product: DataProduct, version: ProductVersion, contract: Mapping[str, Any], found_ports: Ports,
    fields: Sequence[FieldRow], context: DocsContext,
) -> str:
    base = context.service_url or f"http://<{product.domain}-service>"
    url = f"{base}{found_ports.http_path or f'/data-products/{product.product}/v{version.major}'}"
    key = next((row.path for row in fields if row.primary_key), "key")
    key_example = example_record(contract).get(key, f"<{key}>")
    scope = f"read:{product.domain}.{product.product}.v{version.major}"
    lines = [
        "## How to consume", "", "### HTTP", "",
        f"- List: `GET {url}` — cursor pagination (`limit`, `cursor`; the answer carries `next_cursor`, null on the "
        "last page), filters on documented fields, `fields=` projection, `ETag` / `If-None-Match`.",
        f"- One record: `GET {url}/<{key}>`.",
        f"- Token: `Authorization: Bearer <token>` with the scope {code(scope)}"
        + (f"; personal data also needs {code(f'pii:{product.domain}.{product.product}')}" if any(r.pii for r in fields)
           else "") + ".",
        "- Errors are RFC 9457 `application/problem+json` naming the field and the reason.",
        "",
        fenced(
            "# A token: on a local mesh `mesh token demo-reader`; anywhere, the OAuth2 client credentials grant:\n"
            f'export MESH_TOKEN=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials \\\n'
            f'  -d scope={scope} {context.catalog_url}/oauth2/token | jq -r .access_token)\n'
            f'curl -s -H "Authorization: Bearer $MESH_TOKEN" "{url}?limit=10"\n'
            f'curl -s -H "Authorization: Bearer $MESH_TOKEN" "{url}/{key_example}"',
            "bash",
        ),
        "",
        "A page is `{\"items\": [<record>, ...], \"next_cursor\": <string or null>}`; each item is a record as above.",
    ]
    if version.status.value == "deprecated":
        lines += ["", "This major answers with `Deprecation`, `Sunset` and `Link` (its successor) headers."]
    return "\n".join(lines)


def _kafka(
    product: DataProduct, version: ProductVersion, contract: Mapping[str, Any], found_ports: Ports,
    fields: Sequence[FieldRow], context: DocsContext,
) -> str:
    topic = found_ports.topic or f"{product.domain}.{product.product}.v{version.major}"
    key = next((row.path for row in fields if row.primary_key), "key")
    withheld = _withheld(contract)
    contract_url = _contract_url(context.catalog_url, product, version.major)
    lines = [
        "### Kafka", "",
        "| | |", "|---|---|",
        f"| Topic | {code(topic)} |",
        f"| Bootstrap servers | {code(found_ports.bootstrap_servers or '127.0.0.1:9092')} (SASL; credentials per "
        "principal) |",
        f"| Record key | {code(key)} (per-key order) |",
        "| Value | the record as JSON (CloudEvents 1.0, Kafka binary mode: the event's attributes are headers) |",
        "| History | kept: a new consumer group can replay the topic from the start |",
    ]
    if withheld:
        lines.append(f"| Withheld | {', '.join(code(f) for f in withheld)} never travel on the topic (personal "
                     "data); read them from the HTTP port with the PII scope |")
    lines += ["", "| Event type (`ce_type`) | Meaning |", "|---|---|"]
    lines += [f"| {code(e.type)} | {text(e.description)} |" for e in found_ports.event_types] or ["| — | |"]
    first_type = found_ports.event_types[0].type if found_ports.event_types else "<ce_type>"
    lines += [
        "", "Headers of every event:", "",
        "| Header | Value |", "|---|---|",
        "| `ce_specversion` | `1.0` |",
        "| `ce_id` | unique per event: deduplicate on it (a processed-event table) |",
        f"| `ce_source` | {code(f'/domains/{product.domain}')} |",
        "| `ce_type` | one of the event types above |",
        "| `ce_time` | when the change happened (RFC 3339) |",
        f"| `ce_dataschema` | {code(contract_url)} |",
        "| `content-type` | `application/json` |",
        "",
        "**Consumer group**: one per consuming domain, named after it (e.g. `stats`). Read access is granted per "
        "product major: list it in your domain's `contracts/<your-domain>/subscriptions.yaml` and `mesh topics "
        "apply` creates the ACLs. Commit offsets by hand after your local transaction; park events you cannot "
        "handle on your dead-letter topic `<your-domain>.dlq` with the reason in headers.",
    ]
    example = {k: v for k, v in example_record(contract).items() if k not in withheld}
    if example:
        headers = {"ce_specversion": "1.0", "ce_id": "<uuid>", "ce_source": f"/domains/{product.domain}",
                   "ce_type": first_type, "ce_time": "<RFC 3339 time>", "ce_dataschema": contract_url,
                   "content-type": "application/json"}
        lines += ["", "An event:", "", fenced(
            f"key: {example.get(key, '<key>')}\nheaders:\n"
            + "".join(f"  {name}: {value}\n" for name, value in headers.items())
            + "value: " + json.dumps(example, ensure_ascii=False), "yaml")]
    if context.snippets.get("kafka"):
        lines += ["", "With kafka-python:", "", fenced(context.snippets["kafka"], "python")]
    return "\n".join(lines)


def _other_ports(contract: Mapping[str, Any], context: DocsContext | None = None) -> str:
    servers = [s for s in contract.get("servers") or [] if isinstance(s, Mapping)]
    analytical = next((s for s in servers if s.get("id") == _ANALYTICAL_ID and s.get("type") == "api"), None)
    others = [s for s in servers if s.get("type") not in _KNOWN_SERVER_TYPES]
    lines = ["### Analytical port", ""]
    if analytical is None and not others:
        lines.append("This major declares no analytical port (a whole-product snapshot for analytical engines) "
                     "yet; when its contract lists one, this section says how to read it.")
        return "\n".join(lines)
    if analytical is not None:
        lines += _analytical(contract, analytical, context)
    if others:
        lines += ["| Server | Type | Location | Description |", "|---|---|---|---|"]
    for server in others:
        location = server.get("location") or server.get("host") or server.get("path") or "—"
        lines.append(f"| {code(server.get('id') or server.get('server') or '—')} | {text(server.get('type'))} | "
                     f"{code(location)} | {text(server.get('description') or '')} |")
    return "\n".join(lines)


def _analytical(contract: Mapping[str, Any], server: Mapping[str, Any], context: DocsContext | None) -> list[str]:
    """How to read the analytical port (``…/analytical/<product>/v<major>.parquet|.ndjson``) from common engines."""
    location = str(server.get("location") or "")
    variable = re.match(r"\$\{([A-Z0-9_]+):-([^}]*)\}", location)
    default_base = variable.group(2) if variable else location.split("/analytical/", 1)[0]
    base = (context.service_url if context and context.service_url else None) or default_base
    path = location.split("/analytical/", 1)[-1].rsplit(".", 1)[0]
    url = f"{base}/analytical/{path}"
    domain, product = contract.get("domain"), str(contract.get("id") or "").split(".", 1)[-1]
    major = str(contract.get("version") or "1").split(".", 1)[0]
    snippets = reading_snippets(url, product)
    change = next((p.get("value") for p in server.get("customProperties") or []
                   if isinstance(p, Mapping) and p.get("property") == "changeTimestampField"), None)
    lines = [
        f"The whole product as one consistent snapshot: `GET {url}.parquet` (columns typed from the schema above) "
        f"or `GET {url}.ndjson` (one record per line). Same token and scope as HTTP "
        f"({code(f'read:{domain}.{product}.v{major}')}); personal data is null without "
        f"{code(f'pii:{domain}.{product}')}. The answer carries `X-Snapshot-Time`, `X-Row-Count` and "
        "`X-Content-SHA256` (SHA-256 of the body).",
        "",
        (f"Incremental: `?since=<X-Snapshot-Time of an earlier snapshot>` returns the records whose {code(change)} "
         "is at or after it; merge them by key." if change else
         "This product has no change timestamp, so no incremental snapshots: `?since=` is refused."),
        "",
        (f"`datacontract test --server {server.get('server')} <contract>` tests it, with the token in "
         f"`DATACONTRACT_API_HEADER_AUTHORIZATION=\"Bearer $MESH_TOKEN\"`"
         + (f" and `{variable.group(1)}` pointing at the deployment." if variable else ".")),
        "",
        fenced(snippets["duckdb"], "sql"),
        "",
        fenced(snippets["python"], "python"),
        "",
    ]
    return lines


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


def _contract_url(catalog_url: str, product: DataProduct, major: int) -> str:
    return f"{catalog_url}/api/v1/data-products/{product.domain}/{product.product}/v{major}/contract"


def _withheld(contract: Mapping[str, Any]) -> list[str]:
    for server in contract.get("servers") or []:
        if isinstance(server, Mapping) and server.get("type") == "kafka":
            for prop in server.get("customProperties") or []:
                if isinstance(prop, Mapping) and prop.get("property") == _WITHHELD_FIELDS:
                    value = prop.get("value")
                    return [str(v) for v in value] if isinstance(value, Iterable) and not isinstance(value, str) else []
    return []
