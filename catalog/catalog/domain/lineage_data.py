"""The ``data`` Marquez shows for a dataset or job node, derived from the facets received so far.

The shapes follow Marquez's API models (``DatasetData``, ``JobData``, ``Run``) field for field, so Marquez clients
and UIs read them unchanged. What the catalog does not track (job and dataset versions, run arguments, the
deprecated run ``context``) is present with Marquez's empty value (null, ``{}`` or ``[]``), never left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any


def iso(moment: datetime | None) -> str | None:
    """Marquez's timestamp format (ISO 8601 in UTC with ``Z``)."""
    if moment is None:
        return None
    return _iso(moment)


@lru_cache(maxsize=1024)
def _iso(moment: datetime) -> str:
    # A batch of events shares a handful of moments, each written several times per node and run. Equal instants
    # are one cache entry whatever their offset, so each is written in UTC.
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return utc.isoformat().replace("+00:00", "Z")


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
        # Marquez's job row points at the run it last saw; the catalog keeps only that run, so both agree.
        "currentRunUuid": latest_run.get("id") if latest_run else None,
        "currentVersion": None,  # job versions are not tracked
        "facets": facets,
    }


def run_data(
    run_id: str, state: str, started_at: datetime | None, ended_at: datetime | None, created_at: datetime,
    updated_at: datetime, facets: dict[str, Any],
) -> dict[str, Any]:
    """Marquez ``Run`` of a job's latest run; its nominal times come from the ``nominalTime`` run facet."""
    duration = int((ended_at - started_at).total_seconds() * 1000) if started_at and ended_at else None
    nominal = facets.get("nominalTime") or {}
    return {
        "id": run_id,
        "createdAt": iso(created_at),
        "updatedAt": iso(updated_at),
        "nominalStartTime": _moment(nominal.get("nominalStartTime")),
        "nominalEndTime": _moment(nominal.get("nominalEndTime")),
        "state": state,
        "startedAt": iso(started_at),
        "endedAt": iso(ended_at),
        "durationMs": duration,
        "args": {},
        "jobVersion": None,  # job versions are not tracked
        "inputDatasetVersions": [],  # nor dataset versions: a run's inputs are the job's inputs (edges)
        "outputDatasetVersions": [],
        "context": {},
        "facets": facets,
    }


def _moment(value: Any) -> str | None:
    """A facet's ISO 8601 moment in Marquez's form; None when absent or not a moment."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # OpenLineage moments are UTC when they name no offset
    return iso(moment.astimezone(UTC))


def _field(raw: dict[str, Any], field_tags: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "name": raw.get("name"),
        "type": raw.get("type"),
        "tags": field_tags.get(str(raw.get("name")), []),
        "description": raw.get("description"),
    }
