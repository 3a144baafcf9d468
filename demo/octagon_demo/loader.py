"""Loads the demo data set into a running mesh through the domains' own command APIs — never into a store.

Order respects what each command needs, and nothing more: fighters (roster) and cards (schedule) need nothing and
go at the same time; bouts need both, and each card's bouts go in their order on the card (the main event last);
then results (results) and retirements (roster) go at the same time — a retired fighter cannot be booked, so
retirements wait for every booking, and a result needs only its bout. Every command carries a deterministic
idempotency key (``demo-<seed>-fighter-<n>`` ...), so loading twice changes nothing: the services replay their
first answers, server-generated ids included, and the later phases use those ids again.

Each kind of command travels one way only (:data:`KINDS`): as NDJSON batches of up to :data:`BATCH_LINES` lines
where the service has a batch route (one request and one transaction per few hundred commands instead of one each —
the profile of the one-at-a-time load showed the services' time going to per-request transactions queueing on
SQLite's single writer), one request per command otherwise. The load shows its progress with the rate and the time
left per phase and overall.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress, TaskID

from octagon_demo.commands import BATCH_LINES, KINDS, CommandKind, Order, chunks, each, idempotency_prefix
from octagon_demo.dataset import DemoBout, DemoDataSet
from octagon_demo.generator import generate_demo_data
from octagon_demo.progress import print_report, progress_columns
from octagon_demo.replicas import Backlog, ReplicaWatch
from octagon_demo.report import LoadProblem, LoadReport
from octagon_demo.sender import (
    BatchLine,
    CommandAccepted,
    CommandRefused,
    CommandSender,
    LineOutcome,
    ServiceUnavailable,
)

MAX_WORKERS = 8
"""Requests in flight at once per phase (two phases run together at most)."""
BATCHES_IN_FLIGHT = 2
"""Batches a phase has in flight: one being run, one ready behind it. A service runs a batch in one transaction and
its store has one writer at a time (SQLite), so more would only queue there — and, timed out, be sent again."""
REQUEST_TIMEOUT_SECONDS = 30.0
BATCH_TIMEOUT_SECONDS = 300.0
"""How long a batch's answer may take (hundreds of commands on a busy machine) before it is sent again."""
_ALL = "all"


def load_demo_data(
    urls: dict[str, str],
    token: str | Callable[[], str],
    console: Console,
    *,
    seed: int = 7,
    scale: float = 1.0,
    today: date | None = None,
    workers: int = MAX_WORKERS,
    transport: httpx.BaseTransport | None = None,
) -> LoadReport:
    """Generate the demo data set for ``seed``/``scale`` and send it to the services at ``urls``.

    ``urls`` maps service names to base URLs (``roster`` and ``schedule`` are required; without ``results`` no
    results are recorded). ``token`` (a token, or a source of fresh tokens) must allow the commands (``write:<domain>``
    of each). Progress is shown on ``console``.
    Refused commands do not stop the load; they are collected in the returned report, whose ``seconds`` count from
    this call (generating the data set included: the user waits for it too).
    """
    began = time.monotonic()
    with console.status("generating the demo data set..."):
        data = generate_demo_data(seed, scale=scale, today=today or date.today())
    generated = time.monotonic() - began
    limits = httpx.Limits(max_connections=2 * MAX_WORKERS, max_keepalive_connections=2 * MAX_WORKERS)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_SECONDS, read=BATCH_TIMEOUT_SECONDS)
    with httpx.Client(timeout=timeout, limits=limits, transport=transport) as client:
        loader = DemoDataLoader(data, urls, CommandSender(client, token), console, workers=workers,
                                watch=ReplicaWatch(client))
        report = loader.run()
    report.seconds = time.monotonic() - began
    report.notes.insert(0, f"generated the data set in {generated:.1f}s")
    print_report(report, console)
    return report


class DemoDataLoader:
    """Sends one :class:`DemoDataSet`, phase by phase, and tallies what became of every command."""

    def __init__(
        self,
        data: DemoDataSet,
        urls: dict[str, str],
        sender: CommandSender,
        console: Console,
        *,
        workers: int = MAX_WORKERS,
        kinds: dict[str, CommandKind] | None = None,
        watch: ReplicaWatch | None = None,
    ) -> None:
        missing = {"roster", "schedule"} - urls.keys()
        if missing:
            raise ValueError(f"no URL for {', '.join(sorted(missing))}; the demo data needs roster and schedule")
        self.data = data
        self.urls = urls
        self.sender = sender
        self.console = console
        self.workers = max(1, min(workers, MAX_WORKERS))
        self.kinds = kinds or KINDS
        self.watch = watch
        self.prefix = idempotency_prefix(data.seed, data.scale)
        self.report = LoadReport(seed=data.seed, scale=data.scale)
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def run(self) -> LoadReport:
        began = time.monotonic()
        data = self.data
        results = [bout for bout in data.bouts if bout.outcome is not None]
        if "results" not in self.urls:
            self.report.notes.append(f"no results service given: {len(results)} results not recorded")
            results = []
        planned = {"fighters": len(data.fighters), "cards": len(data.cards), "bouts": len(data.bouts),
                   "results": len(results), "retirements": len(data.retired)}
        with Progress(*progress_columns(), console=self.console) as progress, ThreadPoolExecutor(2) as phases:
            self._progress = progress
            for phase, count in planned.items():
                self.report.phases[phase].planned = count
                self._tasks[phase] = progress.add_task(phase, total=count, start=False)
            # The whole load in one line: commands done, the rate so far and the time the rest will take at it.
            self._tasks[_ALL] = progress.add_task("all commands", total=sum(planned.values()))
            fighters = phases.submit(self._phase, "fighters", each(self._registrations()))
            cards = phases.submit(self._phase, "cards", each(self._announcements()))
            fighter_ids = self._ids(fighters.result(), "fighter_id", len(data.fighters))
            card_ids = self._ids(cards.result(), "card_id", len(data.cards))
            self._await_replica("roster", "schedule")  # bookings name fighters: schedule must know them
            booked = self._phase("bouts", list(self._bookings(fighter_ids, card_ids)))
            bout_ids = self._ids(booked, "bout_id", len(data.bouts))
            if results:
                self._await_replica("schedule", "results")  # results name bouts: results must know them
            recorded = phases.submit(self._phase, "results",
                                     each(self._records(results, bout_ids, fighter_ids)))
            retired = phases.submit(self._phase, "retirements", each(self._retirements(fighter_ids)))
            for running in (recorded, retired):
                running.result()
        self._progress = None
        self.report.seconds = time.monotonic() - began
        return self.report

    def _await_replica(self, upstream: str, downstream: str) -> None:
        """Wait until ``downstream`` applied every event ``upstream`` published (see :mod:`octagon_demo.replicas`)."""
        if self.watch is None or self._progress is None:
            return
        progress, began = self._progress, time.monotonic()
        task = progress.add_task(f"{downstream} catching up with {upstream}", total=None, waiting=True)

        def shown(backlog: Backlog) -> None:
            progress.update(task, description=f"{downstream} catching up with {upstream}: {backlog.total} events")

        note = self.watch.wait((upstream, self.urls[upstream]), self.urls[downstream], shown)
        progress.update(task, total=1, completed=1)
        self.report.notes.append(note or f"waited {time.monotonic() - began:.1f}s for {downstream} to apply "
                                         f"{upstream}'s events")

    # What each phase sends: one Order per command, built from the ids the earlier phases got back.

    def _registrations(self) -> list[Order]:
        return [Order(fighter.index, fighter.registration()) for fighter in self.data.fighters]

    def _announcements(self) -> list[Order]:
        return [Order(card.index, card.announcement()) for card in self.data.cards]

    def _bookings(self, fighter_ids: list[str | None], card_ids: list[str | None]) -> Iterator[list[Order]]:
        """Each card's bouts, in their order on the card (the main event must close it): one group per card."""
        bouts_by_card: dict[int, list[DemoBout]] = defaultdict(list)
        for bout in self.data.bouts:
            bouts_by_card[bout.card_index].append(bout)
        for card in self.data.cards:
            group = []
            for bout in sorted(bouts_by_card[card.index], key=lambda b: b.order_on_card):
                card_id, red, blue = card_ids[card.index], fighter_ids[bout.red], fighter_ids[bout.blue]
                if card_id is None or red is None or blue is None:
                    self._skip("bouts")
                    continue
                group.append(Order(bout.index, {
                    "red_fighter_id": red,
                    "blue_fighter_id": blue,
                    "weight_class": bout.weight_class,
                    "title_bout": bout.title_bout,
                    "main_event": bout.main_event,
                    "order_on_card": bout.order_on_card,
                }, {"card_id": card_id}))
            if group:
                yield group

    def _records(self, bouts: list[DemoBout], bout_ids: list[str | None],
                 fighter_ids: list[str | None]) -> list[Order]:
        orders = []
        for bout in bouts:
            outcome, bout_id = bout.outcome, bout_ids[bout.index]
            if outcome is None or bout_id is None:
                self._skip("results")
                continue
            orders.append(Order(bout.index, {
                "outcome": outcome.outcome,
                "winner_fighter_id": fighter_ids[outcome.winner] if outcome.winner is not None else None,
                "method": outcome.method,
                "round": outcome.round,
                "time": outcome.time,
                "judges_scores": (
                    [{"judge": s.judge, "red": s.red, "blue": s.blue} for s in outcome.judges_scores]
                    if outcome.judges_scores is not None else None
                ),
            }, {"bout_id": bout_id}))
        return orders

    def _retirements(self, fighter_ids: list[str | None]) -> list[Order]:
        orders = []
        for fighter in self.data.retired:
            fighter_id = fighter_ids[fighter.index]
            if fighter_id is None:
                self._skip("retirements")
                continue
            orders.append(Order(fighter.index, None, {"fighter_id": fighter_id}))
        return orders

    @staticmethod
    def _ids(bodies: dict[int, dict[str, Any]], id_field: str, count: int) -> list[str | None]:
        return [bodies[index][id_field] if index in bodies else None for index in range(count)]

    # Sending: a phase's groups (commands that must go in order) become batches or single requests.

    def _phase(self, phase: str, groups: list[list[Order]]) -> dict[int, dict[str, Any]]:
        """Send ``groups`` (each in its order; groups in any order); the accepted replies by item index.

        Each phase has its own requests in flight, so a phase running beside another never queues behind it.
        """
        kind, began = self.kinds[phase], time.monotonic()
        if self._progress is not None:
            self._progress.start_task(self._tasks[phase])
        send = partial(self._send_batch, kind) if kind.batched else partial(self._send_in_turn, kind)
        parts = list(chunks(groups, BATCH_LINES)) if kind.batched else groups
        in_flight = min(self.workers, BATCHES_IN_FLIGHT) if kind.batched else self.workers
        with ThreadPoolExecutor(in_flight, thread_name_prefix=phase) as requests:
            accepted = {order.index: body for done in requests.map(send, parts) for order, body in done
                        if body is not None}
        if self._progress is not None:
            self._progress.stop_task(self._tasks[phase])
        self.report.phases[phase].seconds = time.monotonic() - began
        return accepted

    def _send_batch(self, kind: CommandKind, orders: list[Order]) -> list[tuple[Order, dict[str, Any] | None]]:
        lines = [BatchLine(self._key(kind, order), order.body, order.params) for order in orders]
        outcomes: list[LineOutcome | ServiceUnavailable]
        try:
            outcomes = list(self.sender.post_batch(self.urls[kind.service], kind.batch_path, lines))
        except (CommandRefused, ServiceUnavailable) as e:
            outcomes = [e] * len(lines)  # the whole batch refused or unanswered: so is every command in it
        return [(order, self._tally(kind.phase, line.idempotency_key, outcome))
                for order, line, outcome in zip(orders, lines, outcomes, strict=True)]

    def _send_in_turn(self, kind: CommandKind, orders: list[Order]) -> list[tuple[Order, dict[str, Any] | None]]:
        return [(order, self._send_one(kind, order)) for order in orders]

    def _send_one(self, kind: CommandKind, order: Order) -> dict[str, Any] | None:
        key = self._key(kind, order)
        outcome: LineOutcome | ServiceUnavailable
        try:
            outcome = self.sender.post(self.urls[kind.service], kind.single_path(order.params), order.body, key)
        except (CommandRefused, ServiceUnavailable) as e:
            outcome = e
        return self._tally(kind.phase, key, outcome)

    def _key(self, kind: CommandKind, order: Order) -> str:
        return f"{self.prefix}-{kind.key}-{order.index}"

    def _tally(self, phase: str, key: str, outcome: CommandAccepted | CommandRefused | ServiceUnavailable
               ) -> dict[str, Any] | None:
        """Count what became of one command; its reply when it was accepted."""
        tally = self.report.phases[phase]
        with self._lock:
            if isinstance(outcome, CommandRefused):
                tally.failed += 1
                self.report.problems.append(LoadProblem(phase, key, outcome.status, outcome.detail, outcome.errors))
            elif isinstance(outcome, ServiceUnavailable):
                tally.failed += 1
                self.report.problems.append(LoadProblem(phase, key, None, str(outcome)))
            elif outcome.replayed is None:
                tally.accepted += 1
            elif outcome.replayed:
                tally.replayed += 1
            else:
                tally.created += 1
        self._advance(phase)
        return outcome.body if isinstance(outcome, CommandAccepted) else None

    def _skip(self, phase: str) -> None:
        with self._lock:
            self.report.phases[phase].skipped += 1
        self._advance(phase)

    def _advance(self, phase: str) -> None:
        if self._progress is not None:
            self._progress.advance(self._tasks[phase])
            self._progress.advance(self._tasks[_ALL])
