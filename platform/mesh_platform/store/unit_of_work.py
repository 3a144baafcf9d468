"""The unit of work: one transaction for a state change and the events that announce it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from mesh_platform.events.envelope import EventMessage
from mesh_platform.events.factory import EventFactory
from mesh_platform.outbox.writer import OutboxWriter
from mesh_platform.store.writer_turns import writer_lock


class SqlUnitOfWork:
    """Opens a session, stages events in the outbox of the same store, commits both at once.

    Domain units of work subclass it, build their repositories in :meth:`_open_repositories` and turn domain events
    into messages with ``self.events``. Nothing is committed unless :meth:`commit` is called; leaving the block
    without it rolls everything back.
    """

    def __init__(
        self, engine: Engine, outbox: OutboxWriter, events: EventFactory, on_commit: Callable[[], None] | None = None
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.events = events
        self.on_commit = on_commit
        self.session: Session
        self._staged = 0
        self._writer: threading.RLock | None = None

    def __enter__(self) -> SqlUnitOfWork:
        # SQLite: wait for the store's writer turn (shared with the relay and the subscriptions; see writer_turns).
        self._writer = writer_lock(self.engine)
        if self._writer is not None:
            self._writer.acquire()
        self.session = Session(self.engine, expire_on_commit=False)
        self._staged = 0
        self._open_repositories(self.session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            if self._writer is not None:
                self._writer.release()
                self._writer = None

    def join(self, session: Session) -> SqlUnitOfWork:
        """Work inside a transaction someone else owns and commits (a subscription's, for event handlers)."""
        self.session = session
        self._staged = 0
        self._open_repositories(session)
        return self

    def _open_repositories(self, session: Session) -> None:
        """Hook for subclasses: build repositories bound to ``session``."""

    def publish(self, message: EventMessage) -> None:
        """Stage an event; it is written to the outbox in this transaction."""
        self.outbox.add(self.session, message)
        self._staged += 1

    def commit(self) -> None:
        """Commit the state change and its outbox rows together, then nudge the relay."""
        self.session.commit()
        staged, self._staged = self._staged, 0
        if staged and self.on_commit:
            self.on_commit()

    def rollback(self) -> None:
        """Discard everything staged since the last commit."""
        self.session.rollback()
        self._staged = 0
