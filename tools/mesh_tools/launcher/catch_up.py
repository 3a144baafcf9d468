"""Waiting until the event pipeline has caught up: no outbox backlog, no subscription lag, anywhere in the mesh.

After the demo load, ``mesh up`` waits here so that what it prints as ready is consistent: every product, stats'
derived ones included, reflects every command that was accepted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

PipelineReader = Callable[[str], dict[str, Any] | None]
"""Reads the ``pipeline`` section of a service's ``/ready``: ``{}`` when it has no event pipeline (the catalog),
None when it did not answer."""


@dataclass(frozen=True)
class PipelineProgress:
    """The mesh's event backlog at one moment."""

    outbox: dict[str, int] = field(default_factory=dict)  # service → unpublished outbox rows
    lag: dict[str, int] = field(default_factory=dict)  # "service/group" → records not yet committed
    failing: dict[str, str] = field(default_factory=dict)  # "service/group" → last error
    unknown: list[str] = field(default_factory=list)  # services that did not answer

    @property
    def caught_up(self) -> bool:
        """Nothing waits anywhere, and every service answered."""
        return not self.unknown and not any(self.outbox.values()) and not any(self.lag.values())

    def describe(self) -> str:
        """One line for a progress display."""
        parts = [f"{name} outbox {count}" for name, count in self.outbox.items() if count]
        parts += [f"{name} lag {count}" for name, count in self.lag.items() if count]
        parts += [f"{name} FAILING: {error}" for name, error in self.failing.items()]
        parts += [f"{name} not answering" for name in self.unknown]
        return ", ".join(parts) or "caught up"


def read_progress(urls: Mapping[str, str], reader: PipelineReader) -> PipelineProgress:
    """Ask every service for its pipeline section and add the figures up."""
    progress = PipelineProgress()
    for service, url in urls.items():
        pipeline = reader(url)
        if pipeline is None:
            progress.unknown.append(service)
            continue
        if "outbox" in pipeline:
            pending = pipeline["outbox"].get("pending")
            if pending is None:  # its store did not answer
                progress.unknown.append(service)
            else:
                progress.outbox[service] = pending
        for group, health in (pipeline.get("subscriptions") or {}).items():
            progress.lag[f"{service}/{group}"] = health.get("lag", 0)
            if health.get("error"):
                progress.failing[f"{service}/{group}"] = health["error"]
    return progress


def http_pipeline_reader(client: httpx.Client) -> PipelineReader:
    """A :data:`PipelineReader` over HTTP."""

    def read(url: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] | None = client.get(f"{url}/ready").json().get("pipeline", {})
            return result
        except (httpx.HTTPError, ValueError):
            return None

    return read


def wait_for_catch_up(
    urls: Mapping[str, str],
    reader: PipelineReader,
    *,
    timeout: float,
    on_progress: Callable[[PipelineProgress], None] = lambda _progress: None,
    interval: float = 0.5,
    settle: int = 2,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> PipelineProgress:
    """Poll until the mesh is caught up ``settle`` times in a row (a relay may be between two batches), or time out.

    Returns the last progress seen; its ``caught_up`` says which of the two happened.
    """
    deadline = clock() + timeout
    in_a_row = 0
    while True:
        progress = read_progress(urls, reader)
        on_progress(progress)
        in_a_row = in_a_row + 1 if progress.caught_up else 0
        if in_a_row >= settle or clock() >= deadline:
            return progress
        sleep(interval)
