"""Child processes that never outlive the process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

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
