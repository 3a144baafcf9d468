"""Whose lineage an OpenLineage event writes: a domain may post only its own jobs, datasets and outputs.

* a dataset ``octagon.<domain>`` / job ``octagon.<domain>`` belongs to that domain;
* the consumer job ``octagon.consumers`` / ``kafka.<group>`` belongs to the domain that owns the consumer group
  (``<domain>`` or ``<domain>.<...>``); ``http.<subject>`` is reported by the domain whose products were read, so
  it belongs to the domains of its inputs;
* a run's outputs are datasets of the domains that wrote them;
* anything outside the mesh's namespaces is the catalog admin's.
"""

from __future__ import annotations

import json
from typing import Any

from mesh_platform.auth.scopes import CATALOG_ADMIN_SCOPE, write_scope
from mesh_platform.lineage.naming import CONSUMERS_NAMESPACE


def foreign_part(body: bytes, scopes: frozenset[str]) -> str | None:
    """The scope the caller lacks for some part of the event in ``body`` (None when all of it is its own).

    A body that is not a JSON object is left to ingestion to refuse with its 400.
    """
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return foreign_scope(event, scopes)


def foreign_scope(event: Any, scopes: frozenset[str]) -> str | None:
    """:func:`foreign_part` of an event already decoded from JSON (anything but an object is left to ingestion)."""
    if not isinstance(event, dict):
        return None
    for needed in sorted(_owners(event)):
        if needed not in scopes and CATALOG_ADMIN_SCOPE not in scopes:
            return needed
    return None


def _owners(event: dict[str, Any]) -> set[str]:
    needed: set[str] = set()
    dataset = event.get("dataset")
    if isinstance(dataset, dict):
        needed.add(_dataset_owner(dataset))
    job = event.get("job")
    if isinstance(job, dict):
        namespace, name = str(job.get("namespace", "")), str(job.get("name", ""))
        if namespace == CONSUMERS_NAMESPACE:
            kind, _, rest = name.partition(".")
            if kind == "kafka":
                needed.add(write_scope(rest.split(".", 1)[0]))
            elif kind == "http":
                inputs = [d for d in event.get("inputs") or [] if isinstance(d, dict)]
                needed |= {_dataset_owner(d) for d in inputs} or {CATALOG_ADMIN_SCOPE}
            else:
                needed.add(CATALOG_ADMIN_SCOPE)
        else:
            needed.add(_namespace_owner(namespace))
    for output in event.get("outputs") or []:
        if isinstance(output, dict):
            needed.add(_dataset_owner(output))
    return needed


def _dataset_owner(dataset: dict[str, Any]) -> str:
    return _namespace_owner(str(dataset.get("namespace", "")))


def _namespace_owner(namespace: str) -> str:
    if namespace.startswith("octagon.") and namespace != CONSUMERS_NAMESPACE:
        return write_scope(namespace.removeprefix("octagon."))
    return CATALOG_ADMIN_SCOPE
