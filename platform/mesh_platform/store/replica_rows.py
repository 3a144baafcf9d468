"""Replica rows: a domain's owned copy of another domain's records, kept at the newest version it has seen.

A replica row is written from two places in a service: the subscription (the owner's events) and a command's HTTP
lookup of the owner's port (when a command needs a record the events have not brought yet); with two instances of a
service, from two processes. Both read the row, find none and insert it — so an insert can meet a row another writer
committed a moment before. :func:`store_newer` absorbs that race instead of failing the event or the command.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mesh_platform.wire import as_utc


class ReplicaRow(Protocol):
    """A table row with the version (the owner's change time) of the state it holds."""

    version: datetime


def store_newer(session: Session, row_type: type[Any], key: object, state: Mapping[str, Any],
                version: datetime) -> None:
    """Store ``state`` at ``version`` in the replica row of ``key``, unless the row already holds a newer state.

    ``row_type`` is the replica's table model: its columns are ``state``'s names and ``version`` (a
    :class:`ReplicaRow`).

    Nothing commits. The insert of a new row runs in a savepoint: when another writer stored the row meanwhile, the
    row is read again and the versions compared, as if it had been there all along (an older state never wins).
    """
    row: ReplicaRow | None = session.get(row_type, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(row_type(**state, version=version))
            return
        except IntegrityError:
            row = session.get(row_type, key, populate_existing=True)
            if row is None:  # not the race: a constraint the state itself breaks
                raise
    if as_utc(row.version) <= as_utc(version):
        for name, value in state.items():
            setattr(row, name, value)
        row.version = version
