"""The load's progress line: commands done, the rate and the time left at that rate; and the closing table."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from octagon_demo.progress import print_report, progress_columns
from octagon_demo.report import LoadReport


def shown(progress: Progress, task_index: int = 0) -> str:
    task = progress.tasks[task_index]
    return " ".join(str(column.render(task)) for column in progress_columns() if hasattr(column, "render"))


def clocked_progress() -> tuple[Progress, list[float]]:
    now = [0.0]
    return Progress(*progress_columns(), get_time=lambda: now[0], console=Console(file=io.StringIO())), now


def test_a_running_phase_shows_its_rate_and_the_time_its_remaining_commands_take_at_that_rate():
    progress, now = clocked_progress()
    task = progress.add_task("bouts", total=2000)
    for second in range(1, 11):  # 100 commands a second for 10 s
        now[0] = float(second)
        progress.advance(task, 100)

    line = shown(progress)

    assert "1000/2000" in line
    assert "100 commands/s" in line
    assert "eta 0:00:10" in line  # 1,000 left at 100 a second


def test_a_finished_phase_shows_its_rate_over_its_whole_time():
    progress, now = clocked_progress()
    task = progress.add_task("fighters", total=500)
    now[0] = 10.0
    progress.update(task, completed=500)  # one batch answered everything at the end

    assert "50 commands/s" in shown(progress)


def test_a_wait_for_a_replica_shows_no_rate():
    progress, now = clocked_progress()
    task = progress.add_task("schedule catching up with roster", total=None, waiting=True)
    now[0] = 2.0
    progress.update(task, total=1, completed=1)

    assert "commands/s" not in shown(progress)


def test_the_closing_table_shows_each_phase_with_its_seconds():
    report = LoadReport(seed=7, scale=1.0, seconds=42.0)
    report.phases["bouts"].planned = report.phases["bouts"].created = 4582
    report.phases["bouts"].seconds = 21.25
    console = Console(file=io.StringIO(), width=160)

    print_report(report, console)

    text = console.file.getvalue()
    assert "in 42.0s" in text
    bouts = next(line for line in text.splitlines() if "bouts" in line)
    assert "4582" in bouts and "21.2" in bouts
