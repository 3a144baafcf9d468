"""The ``data`` Marquez shows for a dataset or job node, derived from the facets received so far."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def iso(moment: datetime | None) -> str | None:
    """Marquez's timestamp format (ISO 8601 in UTC with ``Z``)."""
    if moment is None:
        return None
    text = moment.isoformat()
    return text.replace("+00:00", "Z")


def merge_facets(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Facets after an event: each facet the event carries replaces the one of the same name."""
    if not new:
        return old
    return {**old, **new}


def dataset_data(
    namespace: str, name: str, facets: dict[str, Any], created_at: datetime, updated_at: datetime
) -> dict[str, Any]:
    """Marquez ``DatasetData`` of a dataset."""
    datasource = facets.get("dataSource") or {}
    documentation = facets.get("documentation") or {}
    lifecycle = facets.get("lifecycleStateChange") or {}
    uri = str(datasource.get("uri") or "")
    tags = [tag for tag in (facets.get("tags") or {}).get("tags") or [] if isinstance(tag, dict) and tag.get("key")]
    field_tags: dict[str, list[str]] = {}
    for tag in tags:
        if tag.get("field"):
            field_tags.setdefault(str(tag["field"]), []).append(str(tag["key"]))
    return {
        "id": {"namespace": namespace, "name": name},
        "type": "STREAM" if uri.startswith("kafka") else "DB_TABLE",
        "name": name,
        "physicalName": name,
        "createdAt": iso(created_at),
        "updatedAt": iso(updated_at),
        "namespace": namespace,
        "sourceName": datasource.get("name") or namespace,
        "fields": [_field(item, field_tags) for item in (facets.get("schema") or {}).get("fields") or []
                   if isinstance(item, dict)],
        "tags": sorted({str(tag["key"]) for tag in tags if not tag.get("field")}),
        "lastModifiedAt": iso(updated_at),
        "description": documentation.get("description"),
        "lastLifecycleState": lifecycle.get("lifecycleStateChange"),
    }


def job_data(
    namespace: str,
    name: str,
    facets: dict[str, Any],
    inputs: list[dict[str, str]],
    outputs: list[dict[str, str]],
    latest_run: dict[str, Any] | None,
    created_at: datetime,
    updated_at: datetime,
) -> dict[str, Any]:
    """Marquez ``JobData`` of a job."""
    job_type = (facets.get("jobType") or {}).get("processingType")
    location = (facets.get("sourceCodeLocation") or {}).get("url")
    return {
        "id": {"namespace": namespace, "name": name},
        "type": "STREAM" if job_type == "STREAMING" else "BATCH",
        "name": name,
        "simpleName": name.rsplit(".", 1)[-1],
        "parentJobName": None,
        "parentJobUuid": None,
        "createdAt": iso(created_at),
        "updatedAt": iso(updated_at),
        "namespace": namespace,
        "inputs": inputs,
        "outputs": outputs,
        "location": location,
        "description": (facets.get("documentation") or {}).get("description"),
        "latestRun": latest_run,
    }


def run_data(
    run_id: str, state: str, started_at: datetime | None, ended_at: datetime | None, created_at: datetime,
    updated_at: datetime, facets: dict[str, Any],
) -> dict[str, Any]:
    """Marquez ``Run`` (the parts the catalog keeps) of a job's latest run."""
    duration = int((ended_at - started_at).total_seconds() * 1000) if started_at and ended_at else None
    error = facets.get("errorMessage") or {}
    return {
        "id": run_id,
        "createdAt": iso(created_at),
        "updatedAt": iso(updated_at),
        "state": state,
        "startedAt": iso(started_at),
        "endedAt": iso(ended_at),
        "durationMs": duration,
        "args": {},
        "facets": {"errorMessage": error} if error else {},
    }


def _field(raw: dict[str, Any], field_tags: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "name": raw.get("name"),
        "type": raw.get("type"),
        "tags": field_tags.get(str(raw.get("name")), []),
        "description": raw.get("description"),
    }
