"""OpenLineage events as the catalog accepts them: RunEvent, DatasetEvent and JobEvent (spec 2-0-x).

:func:`parse_event` checks an event's structure and returns a :class:`LineageObservation`; anything malformed raises
:class:`MalformedLineageEvent` naming the place and the reason, before anything is stored. As in Marquez, the kind
of event is told by the fragment of its ``schemaURL`` (``#/$defs/DatasetEvent``, ``#/$defs/JobEvent``), else by
its shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from catalog.domain.lineage_graph import dataset_node_id, job_node_id

EventKind = Literal["RUN", "DATASET", "JOB"]
RUN_STATES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
# Marquez's names for the state a run is in after each event type.
MARQUEZ_RUN_STATE = {
    "START": "RUNNING",
    "RUNNING": "RUNNING",
    "COMPLETE": "COMPLETED",
    "ABORT": "ABORTED",
    "FAIL": "FAILED",
    "OTHER": "RUNNING",
}


class MalformedLineageEvent(ValueError):
    """An OpenLineage event the catalog cannot take; the message names the place and the reason."""


@dataclass(frozen=True)
class DatasetRef:
    namespace: str
    name: str
    facets: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobRef:
    namespace: str
    name: str
    facets: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def node_id(self) -> str:
        """Its Marquez node id (``job:<namespace>:<name>``)."""
        return job_node_id(self.namespace, self.name)


@dataclass(frozen=True)
class RunRef:
    run_id: str
    event_type: str | None
    facets: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LineageObservation:
    """What one event tells: a job (and maybe a run of it) with inputs and outputs, or one dataset."""

    kind: EventKind
    event_time: datetime
    job: JobRef | None = None
    run: RunRef | None = None
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    dataset: DatasetRef | None = None

    @property
    def datasets(self) -> tuple[DatasetRef, ...]:
        """The dataset of a DatasetEvent, else the inputs then the outputs."""
        return (self.dataset,) if self.dataset else self.inputs + self.outputs

    @cached_property
    def dataset_ids(self) -> tuple[str, ...]:
        """The Marquez node ids of :attr:`datasets`, in their order."""
        return tuple([dataset_node_id(d.namespace, d.name) for d in self.datasets])


Facets = dict[str, dict[str, Any]]


class _Named(BaseModel):
    model_config = ConfigDict(extra="allow")

    namespace: str = Field(min_length=1, max_length=500)
    name: str = Field(min_length=1, max_length=500)
    facets: Facets = Field(default_factory=dict)


class _Dataset(_Named):
    inputFacets: Facets = Field(default_factory=dict)  # noqa: N815 - OpenLineage's names
    outputFacets: Facets = Field(default_factory=dict)  # noqa: N815


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Run(BaseModel):
    model_config = ConfigDict(extra="allow")

    runId: str  # noqa: N815
    facets: Facets = Field(default_factory=dict)

    @field_validator("runId")
    @classmethod
    def _uuid(cls, value: str) -> str:
        if _CANONICAL_UUID.fullmatch(value):
            return value  # already in the form str(UUID(...)) gives: what almost every producer sends
        try:
            return str(UUID(value))
        except ValueError:
            raise ValueError(f"runId must be a UUID, found {value!r}") from None


class _BaseEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    eventTime: datetime  # noqa: N815
    producer: str = ""
    schemaURL: str = ""  # noqa: N815

    @field_validator("eventTime")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("eventTime needs a time zone offset (ISO 8601, e.g. 2024-05-01T12:00:00Z)")
        return value


class _RunEvent(_BaseEvent):
    eventType: Literal["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"] | None = None  # noqa: N815
    run: _Run
    job: _Named
    # Lists here; their datasets are validated in chunks (see _datasets).
    inputs: list[Any] = Field(default_factory=list)
    outputs: list[Any] = Field(default_factory=list)


class _JobEvent(_BaseEvent):
    job: _Named
    inputs: list[Any] = Field(default_factory=list)
    outputs: list[Any] = Field(default_factory=list)


class _DatasetEvent(_BaseEvent):
    dataset: _Named


_DATASET_LIST = TypeAdapter(list[_Dataset])
_DATASET_CHUNK = 50

_MODELS: dict[EventKind, type[_RunEvent] | type[_JobEvent] | type[_DatasetEvent]] = {
    "RUN": _RunEvent, "JOB": _JobEvent, "DATASET": _DatasetEvent,
}


def event_kind(payload: dict[str, Any]) -> EventKind:
    """Which kind of event ``payload`` is, the way Marquez tells them apart."""
    schema_url = payload.get("schemaURL")
    fragment = schema_url.rpartition("#")[2] if isinstance(schema_url, str) else ""
    if fragment.endswith("/DatasetEvent"):
        return "DATASET"
    if fragment.endswith("/JobEvent"):
        return "JOB"
    if fragment.endswith("/RunEvent"):
        return "RUN"
    if "run" not in payload and "dataset" in payload:
        return "DATASET"
    if "run" not in payload and "job" in payload:
        return "JOB"
    return "RUN"


def parse_event(payload: Any) -> LineageObservation:
    """The observation in an OpenLineage event; :class:`MalformedLineageEvent` if it is not one."""
    if not isinstance(payload, dict):
        raise MalformedLineageEvent(f"an OpenLineage event is a JSON object, found {type(payload).__name__}")
    kind = event_kind(payload)
    model = _MODELS[kind]
    try:
        event = model.model_validate(payload)
    except ValidationError as e:
        raise MalformedLineageEvent(_reason(kind, e)) from e
    if isinstance(event, _DatasetEvent):
        return LineageObservation("DATASET", event.eventTime, dataset=_dataset(event.dataset))
    job = JobRef(event.job.namespace, event.job.name, event.job.facets)
    inputs = _datasets(kind, "inputs", event.inputs)
    outputs = _datasets(kind, "outputs", event.outputs)
    if isinstance(event, _JobEvent):
        return LineageObservation("JOB", event.eventTime, job=job, inputs=inputs, outputs=outputs)
    run = RunRef(event.run.runId, event.eventType, event.run.facets)
    return LineageObservation("RUN", event.eventTime, job=job, run=run, inputs=inputs, outputs=outputs)


def _dataset(raw: _Named) -> DatasetRef:
    return DatasetRef(raw.namespace, raw.name, raw.facets)


def _datasets(kind: EventKind, part: str, raw: list[Any]) -> tuple[DatasetRef, ...]:
    """An event's inputs or outputs, validated a chunk at a time: validation holds the interpreter lock for as
    long as it runs, and an event may carry a thousand datasets; between chunks other threads (the catalog's
    event loop) get their turn."""
    refs: list[DatasetRef] = []
    for start in range(0, len(raw), _DATASET_CHUNK):
        try:
            chunk = _DATASET_LIST.validate_python(raw[start: start + _DATASET_CHUNK])
        except ValidationError as e:
            raise MalformedLineageEvent(_reason(kind, e, (part,), start)) from e
        refs += [DatasetRef(d.namespace, d.name, d.facets) for d in chunk]
    return tuple(refs)


def _reason(kind: EventKind, error: ValidationError, within: tuple[str, ...] = (), offset: int = 0) -> str:
    name = {"RUN": "RunEvent", "JOB": "JobEvent", "DATASET": "DatasetEvent"}[kind]
    parts = []
    for item in error.errors()[:5]:
        loc = item["loc"]
        if within:  # a chunk of a list: its positions are counted from the chunk's start
            loc = (*within, int(loc[0]) + offset, *loc[1:]) if loc else within
        where = ".".join(str(part) for part in loc) or "(event)"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return f"malformed {name}: " + "; ".join(parts)
