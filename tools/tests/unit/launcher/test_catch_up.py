"""``mesh up`` says the mesh is consistent only when no event waits anywhere, and says what still waits otherwise."""

from __future__ import annotations

from mesh_tools.launcher.catch_up import read_progress, wait_for_catch_up

URLS = {"catalog": "http://catalog", "roster": "http://roster", "stats": "http://stats"}


def pipeline(pending: int, lag: int = 0, error: str | None = None) -> dict:
    return {
        "outbox": {"pending": pending, "error": None},
        "subscriptions": {"stats": {"lag": lag, "error": error}} if lag or error else {},
    }


class ScriptedMesh:
    """Answers each service's pipeline section from a script of successive states."""

    def __init__(self, states: list[dict[str, dict | None]]) -> None:
        self.states = states
        self.reads = 0

    def read(self, url: str) -> dict | None:
        state = self.states[min(self.reads // len(URLS), len(self.states) - 1)]
        self.reads += 1
        return state[next(name for name, u in URLS.items() if u == url)]


def test_the_catalog_without_an_event_pipeline_does_not_hold_the_mesh_back():
    progress = read_progress(URLS, {"http://catalog": {}, "http://roster": pipeline(0), "http://stats": pipeline(0)}.get)
    assert progress.caught_up
    assert progress.describe() == "caught up"


def test_backlog_lag_failures_and_silent_services_are_each_named():
    answers = {"http://catalog": {}, "http://roster": pipeline(12), "http://stats": None}
    progress = read_progress(URLS, answers.get)
    assert not progress.caught_up
    assert progress.describe() == "roster outbox 12, stats not answering"

    answers["http://stats"] = pipeline(0, lag=40, error="batch: OperationalError")
    progress = read_progress(URLS, answers.get)
    assert progress.describe() == "roster outbox 12, stats/stats lag 40, stats/stats FAILING: batch: OperationalError"


def test_waiting_ends_only_after_the_mesh_stayed_caught_up_twice_in_a_row():
    busy = {"catalog": {}, "roster": pipeline(3), "stats": pipeline(0, lag=5)}
    idle = {"catalog": {}, "roster": pipeline(0), "stats": pipeline(0)}
    between_batches = {"catalog": {}, "roster": pipeline(0), "stats": pipeline(0, lag=1)}
    mesh = ScriptedMesh([busy, idle, between_batches, idle, idle, busy])
    seen = []
    progress = wait_for_catch_up(URLS, mesh.read, timeout=60, on_progress=seen.append, sleep=lambda _s: None)
    assert progress.caught_up
    assert len(seen) == 5  # busy, idle, lag again (count restarts), idle, idle


def test_waiting_gives_up_at_the_deadline_and_reports_what_still_waits():
    stuck = {"catalog": {}, "roster": pipeline(0), "stats": pipeline(0, lag=7, error="batch: boom")}
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    progress = wait_for_catch_up(URLS, ScriptedMesh([stuck]).read, timeout=5, clock=lambda: now[0], sleep=sleep)
    assert not progress.caught_up
    assert "stats/stats lag 7" in progress.describe()
    assert now[0] >= 5
