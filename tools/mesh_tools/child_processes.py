"""Child processes that never outlive the process that started them, and are stopped as a whole group.

Lives outside ``launcher`` and ``kafka`` because both start children (services; broker JVMs): one place, no
``launcher`` ↔ ``kafka`` import cycle.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when the process that starts it dies.

    Without it, a ``kill -9`` of ``mesh up`` (or a test runner killed by a timeout) leaves services and a JVM holding
    their ports, and the next ``mesh up`` finds them taken. Linux sends the signal when the starting *thread* ends, so
    it is only armed from the main thread, whose end is the process's end; elsewhere it returns None and the caller
    relies on stopping its children itself.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    # Looked up before the fork: the child between fork and exec should do as little as possible.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return arm


def signal_group(process: subprocess.Popen[bytes] | subprocess.Popen[str] | int, signum: signal.Signals) -> None:
    """Send ``signum`` to the process group led by ``process`` (a child started with ``start_new_session``)."""
    pid = process if isinstance(process, int) else process.pid
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass  # already gone, with every process of its group


def command_line(pid: int) -> str | None:
    """The command line of process ``pid`` (arguments joined by spaces), or None when no such process lives."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace").strip() or None  # a zombie has an empty one


def running(pid: int) -> bool:
    """Whether process ``pid`` has not finished exiting. An exiting process loses its command line before it closes
    its files (its listening sockets among them), so only a zombie or no process at all has let go of its ports."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "X")
    return state not in ("Z", "X")


def end_leftover(pid: int, *, recognised_by: str, timeout: float = 30.0) -> bool:
    """Stop the process group led by ``pid`` if that process's command line contains ``recognised_by``.

    For children of a run that ended without stopping them (``mesh up`` killed: their SIGTERM from
    :func:`die_with_parent` may still be in progress). ``recognised_by`` guards against a pid the system has since
    given to another program. SIGTERM first (a clean shutdown), SIGKILL after ``timeout`` seconds; returns whether
    there was such a process.
    """
    line = command_line(pid)
    if line is None or recognised_by not in line:
        return False
    signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while running(pid):
        if time.monotonic() > deadline:
            signal_group(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10  # the kernel takes a moment to tear it down
        time.sleep(0.1)
    return True


class OwnerLock:
    """An exclusive ``flock`` on a file: the one process that manages a directory's children holds it.

    The kernel drops it when its holder dies, however it dies, so a lock that can be taken means any pid file beside
    it was left by a run that is gone.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._file is not None

    def acquire(self) -> bool:
        """Take the lock if free (or already ours); False when another process holds it."""
        if self._file is not None:
            return True
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def holder(self) -> str:
        """The pid written by whoever holds (or last held) the lock, for messages."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        """Let go of the lock (closing the file releases the ``flock``)."""
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()
