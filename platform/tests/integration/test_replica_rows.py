"""A replica row keeps the newest state it has seen, whoever of the service's writers stores it first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert
from sqlmodel import Field, Session, SQLModel

from mesh_platform.domain_api import store_newer
from mesh_platform.store.engine import create_store_engine

pytestmark = pytest.mark.integration

MONDAY = datetime(2026, 3, 2, 12, tzinfo=UTC)


class FighterCopy(SQLModel, table=True):
    __tablename__ = "fighter_copy"
    fighter_id: str = Field(primary_key=True)
    status: str
    version: datetime


@pytest.fixture
def engine(store_url):
    engine = create_store_engine(store_url)
    SQLModel.metadata.create_all(engine, tables=[FighterCopy.__table__])
    yield engine
    engine.dispose()


def stored(engine) -> tuple[str, datetime]:
    with Session(engine) as session:
        row = session.get(FighterCopy, "f-1")
        assert row is not None
        return row.status, row.version.replace(tzinfo=UTC) if row.version.tzinfo is None else row.version


def test_a_newer_state_replaces_the_row_and_an_older_one_never_does(engine):
    for status, version in (("active", MONDAY), ("retired", MONDAY + timedelta(days=1)), ("active", MONDAY)):
        with Session(engine) as session, session.begin():
            store_newer(session, FighterCopy, "f-1", {"fighter_id": "f-1", "status": status}, version)
    assert stored(engine) == ("retired", MONDAY + timedelta(days=1))


@pytest.mark.parametrize("theirs, expected", [
    (MONDAY + timedelta(days=1), ("retired", MONDAY + timedelta(days=1))),  # the other writer's state is newer
    (MONDAY - timedelta(days=1), ("active", MONDAY)),  # ours is newer
])
def test_a_row_another_writer_committed_after_our_read_is_compared_not_a_failure(postgres_url, theirs, expected):
    # PostgreSQL only: SQLite lets one writer at a time, so the race cannot happen there.
    engine = create_store_engine(postgres_url)
    SQLModel.metadata.create_all(engine, tables=[FighterCopy.__table__])
    raced: list[str] = []

    def other_writer_first(conn, cursor, statement, parameters, context, executemany):
        # The subscription stores the fighter between our lookup and our insert (and commits first).
        if statement.startswith("INSERT INTO fighter_copy") and not raced:
            raced.append(statement)
            with engine.begin() as other:
                other.execute(insert(FighterCopy.__table__).values(fighter_id="f-1", status="retired", version=theirs))

    event.listen(engine, "before_cursor_execute", other_writer_first)
    try:
        with Session(engine) as session, session.begin():
            store_newer(session, FighterCopy, "f-1", {"fighter_id": "f-1", "status": "active"}, MONDAY)
        assert raced  # the race did happen
        assert stored(engine) == expected
    finally:
        engine.dispose()
