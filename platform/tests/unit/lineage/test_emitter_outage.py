"""A catalog outage delays lineage but loses none; a refusal is dropped, never retried forever."""

from __future__ import annotations

import threading

import requests
from openlineage.client.transport.transport import Transport
from tenacity import wait_none

from mesh_platform.lineage.emitter import LineageEmitter
from mesh_platform.lineage.naming import DatasetName, JobName


class FlakyCatalog(Transport):
    """An openlineage transport whose catalog is down for the first ``down_for`` attempts, then answers."""

    kind = "flaky"

    def __init__(self, down_for: int, refuse_job: str | None = None) -> None:
        self.down_for = down_for
        self.refuse_job = refuse_job
        self.attempts = 0
        self.received: list[str] = []
        self.lock = threading.Lock()

    def emit(self, event):
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.down_for:
                raise requests.ConnectionError("connection refused")
            if event.job.name == self.refuse_job:
                response = requests.Response()
                response.status_code = 403
                raise requests.HTTPError("403 Forbidden: not your job", response=response)
            self.received.append(f"{event.job.name}:{event.eventType.value}")


def emitter(transport: FlakyCatalog) -> LineageEmitter:
    emitter = LineageEmitter("http://catalog.invalid", transport=transport)
    emitter.retry_wait = wait_none()
    return emitter


DATASET = [DatasetName("octagon.roster", "fighters.v1")]


def test_events_emitted_while_the_catalog_is_down_arrive_later_in_order():
    catalog = FlakyCatalog(down_for=25)
    lineage = emitter(catalog)
    for n in range(5):
        job = JobName("octagon.consumers", f"kafka.job{n}")
        lineage.run_completed(job, DATASET, [], run_id=lineage.run_started(job, DATASET, []))
    assert lineage.flush(timeout=10)
    assert catalog.received == [f"kafka.job{n}:{state}" for n in range(5) for state in ("START", "COMPLETE")]
    assert (lineage.sent, lineage.failed, lineage.retries) == (10, 0, 25)
    lineage.close()


def test_a_refused_event_is_dropped_and_the_next_ones_still_arrive():
    catalog = FlakyCatalog(down_for=0, refuse_job="kafka.someone-elses")
    lineage = emitter(catalog)
    for name in ("kafka.someone-elses", "kafka.mine"):
        job = JobName("octagon.consumers", name)
        lineage.run_started(job, DATASET, [])
    assert lineage.flush(timeout=10)
    assert catalog.received == ["kafka.mine:START"]
    assert (lineage.sent, lineage.failed, lineage.retries) == (1, 1, 0)
    lineage.close()


def test_closing_gives_up_on_a_catalog_that_never_comes_back():
    catalog = FlakyCatalog(down_for=10**9)
    lineage = emitter(catalog)
    lineage.retry_wait = lambda state: 0.05
    lineage.run_started(JobName("octagon.consumers", "kafka.job"), DATASET, [])
    lineage.close(timeout=0.5)
    assert lineage.failed == 1 and lineage.sent == 0
