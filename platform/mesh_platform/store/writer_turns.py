"""Turns at a SQLite store's one writer, for every thread of one process that writes to it.

SQLite lets one connection write at a time. Threads of one process that race for it lose in SQLite's busy handler,
which sleeps (1 ms, 2 ms ... up to 100 ms a time) and retries: long after the winner is done, and a thread that keeps
losing — the outbox relay marking rows published, a subscription applying a batch of events — while commands take
the store back to back fails with "database is locked" once the busy timeout runs out, then backs off. Queueing on
one lock per store instead hands the store over the moment the previous writer ends, to whoever waited.

Every writer of a service's store takes its turn here: units of work (commands), the outbox relay's bookkeeping
and the subscriptions' transactions. PostgreSQL has row locks and no single writer: no turn is taken there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

_LOCKS: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


def writer_lock(engine: Engine) -> threading.RLock | None:
    """The lock this process's writers of ``engine``'s SQLite store take turns with; None for other databases.

    Re-entrant, so a writer already holding its turn (a subscription's handler joining its unit of work) does not
    wait for itself.
    """
    if engine.dialect.name != "sqlite":
        return None
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(engine, threading.RLock())


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """Hold the store's writer turn for the block (a transaction that writes, through its commit); no-op on
    databases without a single writer."""
    lock = writer_lock(engine)
    if lock is None:
        yield
        return
    with lock:
        yield
