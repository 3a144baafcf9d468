"""How a demo load shows itself on the console: a progress bar per phase and one for the whole load, each with its
rate and the time left, then a table of what became of every command."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from octagon_demo.report import LoadReport

PROBLEMS_SHOWN = 10


class RateColumn(ProgressColumn):
    """Commands per second of a task: lately while it runs, over its whole time once finished (a batch answers a few
    hundred commands at once, which a short window would take for a burst of thousands a second)."""

    def render(self, task: Task) -> Text:
        if task.fields.get("waiting"):  # a wait for a replica sends no commands
            return Text("")
        elapsed = task.elapsed or 0.0
        speed = task.completed / elapsed if elapsed and (task.finished or not task.speed) else task.speed
        return Text(f"{speed:,.0f} commands/s" if speed else "", style="progress.data.speed")


def progress_columns() -> tuple[ProgressColumn, ...]:
    """Phase, bar, done of total, rate, time elapsed, and the time left at the recent rate ("eta")."""
    return (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())


def print_report(report: LoadReport, console: Console) -> None:
    """A table of the phases (with the seconds each took), then the notes and the first problems (if any)."""
    table = Table(title=f"demo data (seed {report.seed}, scale {report.scale:g}) in {report.seconds:.1f}s")
    for column in ("phase", "planned", "created", "replayed", "accepted", "failed", "skipped", "seconds"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for phase, tally in report.phases.items():
        table.add_row(phase, *(str(n) for n in (tally.planned, tally.created, tally.replayed, tally.accepted,
                                                tally.failed, tally.skipped)), f"{tally.seconds:.1f}")
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    for problem in report.problems[:PROBLEMS_SHOWN]:
        console.print(f"problem: {problem}", style="red", highlight=False, markup=False)
    if len(report.problems) > PROBLEMS_SHOWN:
        console.print(f"... and {len(report.problems) - PROBLEMS_SHOWN} more problems", style="red")
