"""The loader against a fake mesh: dependency order, batches, idempotent re-runs, retries, and refusals collected."""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from datetime import date

import httpx
import pytest
from rich.console import Console

from octagon_demo.commands import BATCH_LINES, KINDS
from octagon_demo.generator import generate_demo_data
from octagon_demo.loader import DemoDataLoader, load_demo_data
from octagon_demo.sender import BatchLine, CommandSender

SCALE = 0.02
TOKEN = "test-token"


def _quiet() -> Console:
    return Console(file=io.StringIO(), width=120)


def _load(mesh, **kwargs):
    return load_demo_data(mesh.urls, TOKEN, _quiet(), seed=7, scale=SCALE, today=mesh.today,
                          transport=mesh.transport(), **kwargs)


def _loader(mesh, urls=None, attempts: int = 6, kinds=None) -> DemoDataLoader:
    """A loader whose retries do not sleep."""
    client = httpx.Client(transport=mesh.transport())
    sender = CommandSender(client, TOKEN, attempts=attempts, sleep=lambda seconds: None)
    data = generate_demo_data(7, scale=SCALE, today=mesh.today)
    return DemoDataLoader(data, urls or mesh.urls, sender, _quiet(), kinds=kinds)


@pytest.mark.parametrize("batched", [True, False], ids=["in batches", "one by one"])
def test_every_kind_of_command_takes_effect_in_batches_or_one_by_one(mesh, batched):
    data = generate_demo_data(7, scale=SCALE, today=mesh.today)
    kinds = {phase: dataclasses.replace(kind, batched=batched) for phase, kind in KINDS.items()}

    report = _loader(mesh, kinds=kinds).run()

    assert report.ok, report.problems[:3]
    assert (len(mesh.fighters), len(mesh.cards), len(mesh.bouts)) == (len(data.fighters), len(data.cards),
                                                                      len(data.bouts))
    assert len(mesh.results) == sum(b.outcome is not None for b in data.bouts)
    assert Counter(f["status"] for f in mesh.fighters.values())["retired"] == len(data.retired)
    assert bool(mesh.batches) is batched


def test_every_command_is_sent_once_and_takes_effect(mesh):
    data = generate_demo_data(7, scale=SCALE, today=mesh.today)

    report = _load(mesh)

    assert report.ok, report.problems[:3]
    assert len(mesh.fighters) == len(data.fighters)
    assert len(mesh.cards) == len(data.cards)
    assert len(mesh.bouts) == len(data.bouts)
    assert len(mesh.results) == sum(b.outcome is not None for b in data.bouts) > 0
    assert Counter(f["status"] for f in mesh.fighters.values())["retired"] == len(data.retired)
    assert report.accepted == len(mesh.requests)


def test_loading_twice_changes_nothing(mesh):
    first = _load(mesh)
    sizes = (len(mesh.fighters), len(mesh.cards), len(mesh.bouts), len(mesh.results))

    second = _load(mesh)

    assert second.ok, second.problems[:3]
    assert second.accepted == first.accepted
    assert (len(mesh.fighters), len(mesh.cards), len(mesh.bouts), len(mesh.results)) == sizes


def test_batched_commands_travel_as_ndjson_batches_of_at_most_the_batch_size(mesh):
    data = generate_demo_data(7, scale=0.2, today=mesh.today)

    report = load_demo_data(mesh.urls, TOKEN, _quiet(), seed=7, scale=0.2, today=mesh.today,
                            transport=mesh.transport())

    assert report.ok, report.problems[:3]
    batched = {kind.batch_path for kind in KINDS.values() if kind.batched}
    sent = Counter()
    for url, lines in mesh.batches:
        path = httpx.URL(url).path
        assert path in batched
        assert lines <= BATCH_LINES
        sent[path] += lines
    assert sent["/fighters/batch"] == len(data.fighters) > BATCH_LINES
    assert len(mesh.batches) < len(mesh.requests) / 50


def test_a_replay_flag_on_a_batch_line_is_tallied_as_replayed():
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"line": 1, "idempotency_key": "a", "status": 201, "body": {"id": 1}, '
                                           b'"replayed": true}\n'
                                           b'{"line": 2, "idempotency_key": "b", "status": 201, "body": {"id": 2}}\n'
                                           b'{"line": 3, "idempotency_key": "c", "status": 422, '
                                           b'"body": {"detail": "bad", "errors": [{"field": "x", "reason": "no"}]}}\n')

    sender = CommandSender(httpx.Client(transport=httpx.MockTransport(answer)), TOKEN)
    first, second, third = sender.post_batch("http://roster.test", "/fighters/batch",
                                             [BatchLine("a", {}), BatchLine("b", {}), BatchLine("c", {})])

    assert (first.replayed, first.body) == (True, {"id": 1})
    assert (second.replayed, second.body) == (None, {"id": 2})
    assert (third.status, third.detail, third.errors) == (422, "bad", ({"field": "x", "reason": "no"},))


def test_every_command_carries_its_own_deterministic_idempotency_key(mesh):
    _load(mesh)
    first_keys = [key for _, _, key in mesh.requests]
    mesh.requests.clear()
    _load(mesh)
    second_keys = [key for _, _, key in mesh.requests]

    assert len(set(first_keys)) == len(first_keys)
    assert set(first_keys) == set(second_keys)
    assert all(key.startswith(f"demo-7-scale{SCALE:g}-") for key in first_keys)
    assert "demo-7-scale0.02-fighter-0" in first_keys


def test_commands_come_in_dependency_order(mesh):
    _load(mesh)
    kinds = [url.rsplit("/", 1)[-1] if not url.endswith("/fighters") else "fighters" for _, url, _ in mesh.requests]
    first, last = {}, {}
    for position, kind in enumerate(kinds):
        first.setdefault(kind, position)
        last[kind] = position

    assert max(last["fighters"], last["cards"]) < first["bouts"]
    assert last["bouts"] < min(first["result"], first["retirement"])


def test_bookings_wait_for_schedule_to_know_the_fighters_and_results_for_results_to_know_the_bouts(mesh):
    mesh.lags = {"schedule": [3, 1], "results": [2]}

    report = _load(mesh)

    assert report.ok, report.problems[:3]
    sent = [url for _, url, _ in mesh.requests]
    caught_up: dict[str, int] = {}
    for service, lag, before in mesh.readiness:
        if lag == 0:
            caught_up.setdefault(service, before)
    assert [lag for service, lag, _ in mesh.readiness if service == "schedule"][:3] == [3, 1, 0]
    assert not any(url.endswith("/bouts") for url in sent[:caught_up["schedule"]])
    assert not any(url.endswith("/result") for url in sent[:caught_up["results"]])
    assert any(url.endswith("/bouts") for url in sent[caught_up["schedule"]:caught_up["results"]])
    assert any("schedule to apply roster's events" in note for note in report.notes)


def test_each_cards_bouts_come_in_their_order_on_the_card(mesh):
    _load(mesh)

    booked = [bout for bout in mesh.bouts.values()]
    for card_id in {bout["card_id"] for bout in booked}:
        orders = [bout["order_on_card"] for bout in booked if bout["card_id"] == card_id]
        assert orders == sorted(orders)
        assert [bout["main_event"] for bout in booked if bout["card_id"] == card_id][-1] is True


def test_a_later_day_adds_the_new_cards_and_results_and_replays_the_rest(mesh):
    accepted_before = _load(mesh).accepted
    fighters_before, cards_before, results_before = len(mesh.fighters), len(mesh.cards), len(mesh.results)
    later = date(2027, 6, 1)
    mesh.today = later

    report = load_demo_data(mesh.urls, TOKEN, _quiet(), seed=7, scale=SCALE, today=later,
                            transport=mesh.transport())

    assert report.ok, report.problems[:3]
    assert len(mesh.cards) > cards_before and len(mesh.results) > results_before
    assert len(mesh.fighters) == len(generate_demo_data(7, scale=SCALE, today=later).fighters) >= fighters_before
    assert report.accepted == len(mesh.requests) - accepted_before


def test_a_refused_command_is_reported_and_the_load_goes_on(mesh):
    data = generate_demo_data(7, scale=SCALE, today=mesh.today)
    refused_name = data.fighters[0].name
    mesh.refusal = lambda request: (
        httpx.Response(422, json={"title": "Unprocessable", "status": 422, "detail": "name is banned",
                                  "errors": [{"field": "name", "reason": "banned"}]})
        if request.url.path == "/fighters" and refused_name.encode() in request.content else None
    )
    bouts_of_refused = sum(0 in (b.red, b.blue) for b in data.bouts)

    report = _load(mesh)

    assert not report.ok
    assert [(p.phase, p.status, p.errors[0]["field"]) for p in report.problems] == [("fighters", 422, "name")]
    assert "demo-7-scale0.02-fighter-0" in str(report.problems[0])
    assert report.phases["fighters"].failed == 1 and len(mesh.fighters) == len(data.fighters) - 1
    assert report.phases["bouts"].skipped == bouts_of_refused
    assert len(mesh.bouts) == len(data.bouts) - bouts_of_refused


def test_server_errors_and_connection_errors_are_retried(mesh):
    seen: Counter[str] = Counter()

    def flaky(request: httpx.Request) -> httpx.Response | None:
        key = request.headers.get("Idempotency-Key") or request.content.split(b"\n")[0].decode()
        seen[key] += 1
        if seen[key] == 1:
            raise httpx.ConnectError("connection refused", request=request)
        if seen[key] == 2:
            return httpx.Response(503, json={"title": "Service Unavailable", "status": 503})
        return None

    mesh.fault = flaky

    report = _loader(mesh).run()

    assert report.ok, report.problems[:3]
    assert set(seen.values()) == {3}


def test_an_unreachable_service_fails_fast_after_the_first_command_gives_up(mesh):
    def roster_down(request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "roster.test":
            raise httpx.ConnectError("connection refused", request=request)
        return None

    mesh.fault = roster_down

    report = _loader(mesh, attempts=3).run()

    roster_requests = [url for _, url, _ in mesh.requests if "roster.test" in url]
    assert len(roster_requests) <= 3 * 8  # at most one give-up per worker already under way
    assert report.phases["fighters"].failed == report.phases["fighters"].planned
    assert all(p.status is None for p in report.problems)
    assert not mesh.bouts


def test_without_a_results_service_no_results_are_sent_and_a_note_says_so(mesh):
    urls = {name: url for name, url in mesh.urls.items() if name != "results"}

    report = _loader(mesh, urls=urls).run()

    assert report.ok
    assert not mesh.results
    assert report.phases["results"].planned == 0
    assert any("results" in note for note in report.notes)
    assert len(mesh.bouts) > 0


def test_roster_and_schedule_urls_are_required(mesh):
    with pytest.raises(ValueError, match="schedule"):
        _loader(mesh, urls={"roster": mesh.urls["roster"]})


def test_progress_shows_every_phase_and_the_whole_load_with_its_rate_and_time_left(mesh):
    console = Console(file=io.StringIO(), width=160, force_terminal=False)

    load_demo_data(mesh.urls, TOKEN, console, seed=7, scale=SCALE, today=mesh.today, transport=mesh.transport())

    shown = console.file.getvalue()
    for phase in ("fighters", "cards", "bouts", "results", "retirements", "all commands"):
        assert phase in shown
    assert "eta" in shown and "commands/s" in shown
