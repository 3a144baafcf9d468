"""Reading a registered contract for display: ports, fields, SLOs and quality rules.

Registered contracts passed governance when they were stored, so these readers take the document as it is
(cheap: no re-validation on every page view) and tolerate missing parts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldRow:
    """One field of the product record as a schema table shows it (nested fields indented by ``depth``)."""

    path: str
    name: str
    logical_type: str
    required: bool
    primary_key: bool
    classification: str | None
    pii: bool
    description: str
    depth: int


@dataclass(frozen=True)
class EventTypeRow:
    type: str
    schema: str
    description: str


@dataclass(frozen=True)
class Ports:
    """Where a major version is consumed: the HTTP output port and the topic with its event types."""

    http_url: str | None
    http_path: str | None
    topic: str | None
    bootstrap_servers: str | None
    event_types: tuple[EventTypeRow, ...]


def ports(contract: dict[str, Any]) -> Ports:
    servers = [s for s in contract.get("servers") or [] if isinstance(s, dict)]
    api = next((s for s in servers if s.get("type") == "api" and s.get("id") != "analytical"), {})
    kafka = next((s for s in servers if s.get("type") == "kafka"), {})
    custom = {p.get("property"): p.get("value") for p in kafka.get("customProperties") or [] if isinstance(p, dict)}
    location = api.get("location")
    path = None
    if isinstance(location, str):
        path = "/" + location.split("://", 1)[-1].partition("/")[2]
    return Ports(
        http_url=location,
        http_path=path,
        topic=custom.get("topic"),
        bootstrap_servers=kafka.get("host"),
        event_types=tuple(
            EventTypeRow(str(item.get("type")), str(item.get("schema")), str(item.get("description") or ""))
            for item in custom.get("eventTypes") or []
            if isinstance(item, dict)
        ),
    )


def record_fields(contract: dict[str, Any]) -> list[FieldRow]:
    """The fields of the product record (the first schema object), nested ones after their parent."""
    objects = [o for o in contract.get("schema") or [] if isinstance(o, dict)]
    return list(_rows(objects[0].get("properties") or [], "", 0)) if objects else []


def slos(contract: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The declared SLA properties (freshness, availability...)."""
    return [dict(sla) for sla in contract.get("slaProperties") or [] if isinstance(sla, dict)]


def quality_rules(contract: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every quality rule of the record and its fields, with the field it applies to."""
    found: list[dict[str, Any]] = []
    objects = [o for o in contract.get("schema") or [] if isinstance(o, dict)]
    for schema_object in objects[:1]:
        found += [{"field": None, **rule} for rule in schema_object.get("quality") or [] if isinstance(rule, dict)]
        for prop, path in _walk(schema_object.get("properties") or [], ""):
            found += [{"field": path, **rule} for rule in prop.get("quality") or [] if isinstance(rule, dict)]
    return found


def _rows(properties: list[Any], prefix: str, depth: int) -> Iterator[FieldRow]:
    for prop, path in _walk(properties, prefix, nested=False):
        tags = [str(tag).lower() for tag in prop.get("tags") or []]
        yield FieldRow(
            path=path,
            name=str(prop.get("name")),
            logical_type=str(prop.get("logicalType") or ""),
            required=bool(prop.get("required")),
            primary_key=bool(prop.get("primaryKey")),
            classification=prop.get("classification"),
            pii="pii" in tags,
            description=str(prop.get("description") or "").strip(),
            depth=depth,
        )
        children = prop.get("properties") or (prop.get("items") or {}).get("properties") or []
        if children:
            suffix = "[]" if prop.get("items") else ""
            yield from _rows(children, f"{path}{suffix}", depth + 1)


def _walk(properties: list[Any], prefix: str, *, nested: bool = True) -> Iterator[tuple[dict[str, Any], str]]:
    for prop in properties:
        if not isinstance(prop, dict):
            continue
        path = f"{prefix}.{prop.get('name')}" if prefix else str(prop.get("name"))
        yield prop, path
        if nested:
            yield from _walk(prop.get("properties") or [], path)
            items = prop.get("items")
            if isinstance(items, dict):
                yield from _walk(items.get("properties") or [], f"{path}[]")
