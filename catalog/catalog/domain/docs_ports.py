"""The "How to consume" sections of a product's documentation page: its HTTP port, its Kafka topic and events, and
its analytical port (with copy-paste readers for common engines)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from catalog.domain.analytical_reading import reading_snippets
from catalog.domain.contract_view import FieldRow, Ports
from catalog.domain.docs_markdown import DocsContext, code, contract_url, example_record, fenced, text
from catalog.domain.model import DataProduct, ProductVersion

_WITHHELD_FIELDS = "withheldFields"
_KNOWN_SERVER_TYPES = ("api", "kafka")
_ANALYTICAL_ID = "analytical"  # the api server that is the analytical port (mesh_platform.contracts.product)


def http_section(
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


def kafka_section(
    product: DataProduct, version: ProductVersion, contract: Mapping[str, Any], found_ports: Ports,
    fields: Sequence[FieldRow], context: DocsContext,
) -> str:
    topic = found_ports.topic or f"{product.domain}.{product.product}.v{version.major}"
    key = next((row.path for row in fields if row.primary_key), "key")
    withheld = _withheld(contract)
    schema_url = contract_url(context.catalog_url, product, version.major)
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
        f"| `ce_dataschema` | {code(schema_url)} |",
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
                   "ce_type": first_type, "ce_time": "<RFC 3339 time>", "ce_dataschema": schema_url,
                   "content-type": "application/json"}
        lines += ["", "An event:", "", fenced(
            f"key: {example.get(key, '<key>')}\nheaders:\n"
            + "".join(f"  {name}: {value}\n" for name, value in headers.items())
            + "value: " + json.dumps(example, ensure_ascii=False), "yaml")]
    if context.snippets.get("kafka"):
        lines += ["", "With kafka-python:", "", fenced(context.snippets["kafka"], "python")]
    return "\n".join(lines)


def other_ports_section(contract: Mapping[str, Any], context: DocsContext | None = None) -> str:
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


def _withheld(contract: Mapping[str, Any]) -> list[str]:
    for server in contract.get("servers") or []:
        if isinstance(server, Mapping) and server.get("type") == "kafka":
            for prop in server.get("customProperties") or []:
                if isinstance(prop, Mapping) and prop.get("property") == _WITHHELD_FIELDS:
                    value = prop.get("value")
                    return [str(v) for v in value] if isinstance(value, Iterable) and not isinstance(value, str) else []
    return []
