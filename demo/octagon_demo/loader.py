"""Loads the demo data set into a running mesh through the domains' own command APIs — never into a store.

Order respects what each command needs: fighters, then cards, then each card's bouts in their order on the card
(the main event last), then results, then retirements (a retired fighter cannot be booked, so they come after
every booking). Within a phase, commands run on a small thread pool. Every command carries a deterministic
``Idempotency-Key`` (``demo-<seed>-fighter-<n>`` ...), so loading twice changes nothing: the services replay their
first answers, server-generated ids included, and the later phases use those ids again.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from octagon_demo.dataset import DemoBout, DemoCard, DemoDataSet, DemoFighter
from octagon_demo.generator import generate_demo_data
from octagon_demo.report import LoadProblem, LoadReport
from octagon_demo.sender import CommandRefused, CommandSender, ServiceUnavailable

MAX_WORKERS = 8
REQUEST_TIMEOUT_SECONDS = 30.0
PROBLEMS_SHOWN = 10
_ALL = "all"

T = TypeVar("T")


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
    Refused commands do not stop the load; they are collected in the returned report.
    """
    data = generate_demo_data(seed, scale=scale, today=today or date.today())
    limits = httpx.Limits(max_connections=MAX_WORKERS, max_keepalive_connections=MAX_WORKERS)
    with httpx.Client(timeout=REQUEST_TIMEOUT_SECONDS, limits=limits, transport=transport) as client:
        loader = DemoDataLoader(data, urls, CommandSender(client, token), console, workers=workers)
        report = loader.run()
    print_report(report, console)
    return report


def idempotency_prefix(seed: int, scale: float) -> str:
    """``demo-<seed>``; a shrunken data set gets keys of its own so it never collides with the full one."""
    return f"demo-{seed}" if scale == 1.0 else f"demo-{seed}-scale{scale:g}"


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
    ) -> None:
        missing = {"roster", "schedule"} - urls.keys()
        if missing:
            raise ValueError(f"no URL for {', '.join(sorted(missing))}; the demo data needs roster and schedule")
        self.data = data
        self.urls = urls
        self.sender = sender
        self.console = console
        self.workers = max(1, min(workers, MAX_WORKERS))
        self.prefix = idempotency_prefix(data.seed, data.scale)
        self.report = LoadReport(seed=data.seed, scale=data.scale)
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def run(self) -> LoadReport:
        began = time.monotonic()
        data = self.data
        bouts_by_card: dict[int, list[DemoBout]] = defaultdict(list)
        for bout in data.bouts:
            bouts_by_card[bout.card_index].append(bout)
        results = [bout for bout in data.bouts if bout.outcome is not None]
        if "results" not in self.urls:
            self.report.notes.append(f"no results service given: {len(results)} results not recorded")
            results = []
        columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[rate]}"))
        with Progress(*columns, console=self.console) as progress, ThreadPoolExecutor(self.workers) as pool:
            self._progress = progress
            phases = (("fighters", len(data.fighters)), ("cards", len(data.cards)), ("bouts", len(data.bouts)),
                      ("results", len(results)), ("retirements", len(data.retired)))
            for phase, count in phases:
                self.report.phases[phase].planned = count
                self._tasks[phase] = progress.add_task(phase, total=count, start=False, rate="")
            # The whole load in one line: commands done, the rate so far and the time the rest will take at it.
            self._tasks[_ALL] = progress.add_task("all commands", total=sum(count for _, count in phases), rate="")
            fighter_ids = self._each(pool, "fighters", data.fighters, self._register)
            card_ids = self._each(pool, "cards", data.cards, self._announce)
            booked = self._each(pool, "bouts", data.cards,
                                lambda card: self._book_card(card, bouts_by_card[card.index], fighter_ids, card_ids))
            bout_ids = {index: bout_id for card_bouts in booked for index, bout_id in card_bouts.items()}
            self._each(pool, "results", results, lambda bout: self._record(bout, bout_ids, fighter_ids))
            self._each(pool, "retirements", data.retired, lambda fighter: self._retire(fighter, fighter_ids))
        self._progress = None
        self.report.seconds = time.monotonic() - began
        return self.report

    def _each(self, pool: ThreadPoolExecutor, phase: str, items: Iterable[Any], send: Callable[[Any], T]) -> list[T]:
        """Run one phase to the end before the next begins: later phases need the ids this one gets."""
        if self._progress is not None:
            self._progress.start_task(self._tasks[phase])
        done = list(pool.map(send, items))
        if self._progress is not None:
            self._progress.stop_task(self._tasks[phase])
        return done

    # One method per command; each returns the server-generated id, or None when it failed or was skipped.

    def _register(self, fighter: DemoFighter) -> str | None:
        body = self._send("fighters", "roster", "/fighters", fighter.registration(), f"fighter-{fighter.index}")
        return body["fighter_id"] if body else None

    def _announce(self, card: DemoCard) -> str | None:
        body = self._send("cards", "schedule", "/cards", card.announcement(), f"card-{card.index}")
        return body["card_id"] if body else None

    def _book_card(
        self, card: DemoCard, bouts: list[DemoBout], fighter_ids: list[str | None], card_ids: list[str | None]
    ) -> dict[int, str]:
        """Book a card's bouts one after another in their order: the main event must close the card."""
        booked: dict[int, str] = {}
        card_id = card_ids[card.index]
        for bout in sorted(bouts, key=lambda b: b.order_on_card):
            red, blue = fighter_ids[bout.red], fighter_ids[bout.blue]
            if card_id is None or red is None or blue is None:
                self._skip("bouts")
                continue
            request = {
                "red_fighter_id": red,
                "blue_fighter_id": blue,
                "weight_class": bout.weight_class,
                "title_bout": bout.title_bout,
                "main_event": bout.main_event,
                "order_on_card": bout.order_on_card,
            }
            body = self._send("bouts", "schedule", f"/cards/{card_id}/bouts", request, f"bout-{bout.index}")
            if body:
                booked[bout.index] = body["bout_id"]
        return booked

    def _record(self, bout: DemoBout, bout_ids: dict[int, str], fighter_ids: list[str | None]) -> str | None:
        outcome = bout.outcome
        bout_id = bout_ids.get(bout.index)
        if outcome is None or bout_id is None:
            self._skip("results")
            return None
        request = {
            "outcome": outcome.outcome,
            "winner_fighter_id": fighter_ids[outcome.winner] if outcome.winner is not None else None,
            "method": outcome.method,
            "round": outcome.round,
            "time": outcome.time,
            "judges_scores": (
                [{"judge": s.judge, "red": s.red, "blue": s.blue} for s in outcome.judges_scores]
                if outcome.judges_scores is not None else None
            ),
        }
        body = self._send("results", "results", f"/bouts/{bout_id}/result", request, f"result-{bout.index}")
        return bout_id if body else None

    def _retire(self, fighter: DemoFighter, fighter_ids: list[str | None]) -> str | None:
        fighter_id = fighter_ids[fighter.index]
        if fighter_id is None:
            self._skip("retirements")
            return None
        body = self._send("retirements", "roster", f"/fighters/{fighter_id}/retirement", None,
                          f"retirement-{fighter.index}")
        return fighter_id if body else None

    def _send(self, phase: str, service: str, path: str, body: dict[str, Any] | None, name: str) -> dict | None:
        key = f"{self.prefix}-{name}"
        problem: LoadProblem | None = None
        try:
            accepted = self.sender.post(self.urls[service], path, body, key)
        except CommandRefused as e:
            problem = LoadProblem(phase, key, e.status, e.detail, e.errors)
        except ServiceUnavailable as e:
            problem = LoadProblem(phase, key, None, str(e))
        tally = self.report.phases[phase]
        with self._lock:
            if problem is not None:
                tally.failed += 1
                self.report.problems.append(problem)
            elif accepted.replayed:
                tally.replayed += 1
            else:
                tally.created += 1
        self._advance(phase)
        return None if problem is not None else accepted.body

    def _skip(self, phase: str) -> None:
        with self._lock:
            self.report.phases[phase].skipped += 1
        self._advance(phase)

    def _advance(self, phase: str) -> None:
        if self._progress is not None:
            self._progress.advance(self._tasks[phase])
            self._progress.advance(self._tasks[_ALL])
            task = self._progress.tasks[self._tasks[_ALL]]
            if task.elapsed:
                self._progress.update(self._tasks[_ALL], rate=f"{task.completed / task.elapsed:.0f} commands/s")


def print_report(report: LoadReport, console: Console) -> None:
    """A table of the phases, then the first problems (if any)."""
    table = Table(title=f"demo data (seed {report.seed}, scale {report.scale:g}) in {report.seconds:.1f}s")
    for column in ("phase", "planned", "created", "replayed", "failed", "skipped"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for phase, tally in report.phases.items():
        table.add_row(phase, *(str(n) for n in (tally.planned, tally.created, tally.replayed, tally.failed,
                                                tally.skipped)))
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    for problem in report.problems[:PROBLEMS_SHOWN]:
        console.print(f"problem: {problem}", style="red", highlight=False, markup=False)
    if len(report.problems) > PROBLEMS_SHOWN:
        console.print(f"... and {len(report.problems) - PROBLEMS_SHOWN} more problems", style="red")
