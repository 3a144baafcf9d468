"""Waiting for a replica: both ends' /ready read, a failing subscription counted as behind, a bounded wait."""

from __future__ import annotations

import httpx

from octagon_demo.replicas import ReplicaWatch

UPSTREAM = ("schedule", "http://schedule.test")
DOWNSTREAM = "http://results.test"


def _watch(answers: dict[str, list[dict]], clock: list[float]) -> ReplicaWatch:
    def ready(request: httpx.Request) -> httpx.Response:
        queue = answers[request.url.host]
        return httpx.Response(200, json={"status": "ready", "pipeline": queue.pop(0) if len(queue) > 1 else queue[0]})

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    return ReplicaWatch(httpx.Client(transport=httpx.MockTransport(ready)), poll=1.0, limit=10.0, sleep=sleep,
                        clock=lambda: clock[0])


def _consumer(lag: int, failures: int = 0) -> dict:
    return {"subscriptions": {"results": {"lag_by_partition": {"schedule.bouts.v1/0": lag, "other.topic.v1/0": 9},
                                          "consecutive_failures": failures}}}


def test_waits_until_the_outbox_is_published_and_the_consumer_has_applied_it_twice_in_a_row():
    clock = [0.0]
    watch = _watch({"schedule.test": [{"outbox": {"pending": 5}}, {"outbox": {"pending": 0}}],
                    "results.test": [_consumer(7), _consumer(2), _consumer(0)]}, clock)
    seen = []

    note = watch.wait(UPSTREAM, DOWNSTREAM, lambda backlog: seen.append(backlog.total))

    assert note is None
    assert seen == [12, 2, 0, 0]


def test_a_failing_subscription_counts_as_behind_whatever_lag_it_last_saw():
    watch = _watch({"schedule.test": [{"outbox": {"pending": 0}}], "results.test": [_consumer(0, failures=3)]},
                   [0.0])

    backlog = watch.backlog(UPSTREAM, DOWNSTREAM)

    assert backlog is not None and backlog.lag == 1


def test_gives_up_after_the_limit_with_a_note_and_without_a_pipeline_does_not_wait():
    clock = [0.0]
    stuck = _watch({"schedule.test": [{"outbox": {"pending": 3}}], "results.test": [_consumer(4)]}, clock)

    note = stuck.wait(UPSTREAM, DOWNSTREAM)

    assert note is not None and "3 unpublished, 4 not consumed" in note
    assert 10.0 <= clock[0] <= 11.0
    blind = ReplicaWatch(httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(404))))
    assert "did not wait" in (blind.wait(UPSTREAM, DOWNSTREAM) or "")
