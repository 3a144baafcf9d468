"""How the Kafka runner finds and runs the external programs it needs (``java``, ``mvn``).

A protocol so the distribution's cache logic can be tested with a hand-written fake instead of real JVMs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class CommandResult:
    """What a finished command left behind: its exit code and its stdout and stderr, interleaved."""

    returncode: int
    output: str


class CommandTimedOut(Exception):
    """The command was still running when its time ran out (it has been killed)."""


class CommandRunner(Protocol):
    """Finds programs and runs them to completion."""

    def find(self, program: str) -> str | None:
        """The path of ``program``, or None when it is not installed."""
        ...

    def run(self, argv: Sequence[str], cwd: Path, timeout: float) -> CommandResult:
        """Run ``argv`` in ``cwd`` and wait; raise :class:`CommandTimedOut` after ``timeout`` seconds."""
        ...


class SubprocessRunner:
    """The real runner: programs from ``PATH`` (``java`` from ``JAVA_HOME`` first, as Kafka's own scripts do)."""

    def find(self, program: str) -> str | None:
        if program == "java" and (java_home := os.environ.get("JAVA_HOME")):
            candidate = Path(java_home) / "bin" / "java"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
        return shutil.which(program)

    def run(self, argv: Sequence[str], cwd: Path, timeout: float) -> CommandResult:
        try:
            completed = subprocess.run(
                list(argv),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise CommandTimedOut(f"{argv[0]} did not finish within {timeout:.0f} s") from e
        return CommandResult(completed.returncode, completed.stdout)
