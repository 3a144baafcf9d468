"""A SQLite store's writers in one process take turns: the outbox relay and a subscription wait for a unit of work
instead of failing with "database is locked" once SQLite's busy timeout runs out."""

import threading
import time
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, event, func, select

from mesh_platform.events import EventFactory
from mesh_platform.outbox import OutboxWriter
from mesh_platform.outbox.relay import OutboxRelay
from mesh_platform.store.platform_tables import define_platform_tables
from mesh_platform.store.unit_of_work import SqlUnitOfWork
from mesh_platform.store.writer_turns import writer_lock
from mesh_platform.subscriptions.batch import BatchHandler

pytestmark = pytest.mark.integration

BUSY_TIMEOUT_SECONDS = 0.1


class Sent:
    def get(self, timeout: float | None = None) -> None:
        return None


class RecordingProducer:
    """Acknowledges every record at once and says when the relay flushed (it then goes to mark the rows)."""

    def __init__(self) -> None:
        self.records: list[Any] = []
        self.flushed = threading.Event()

    def send(self, topic: str, **record: Any) -> Sent:
        self.records.append((topic, record))
        return Sent()

    def flush(self, timeout: float | None = None) -> None:
        self.flushed.set()

    def close(self, timeout: float | None = None) -> None:
        pass


@pytest.fixture
def sqlite_store(tmp_path):
    # A short busy timeout: a writer that raced SQLite's lock instead of queueing would fail within it.
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}",
                           connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", lambda connection, _: connection.execute("PRAGMA journal_mode=WAL"))
    metadata = MetaData()
    tables = define_platform_tables(metadata)
    metadata.create_all(engine)
    yield engine, tables
    engine.dispose()


def test_the_relay_marks_rows_published_after_a_unit_of_work_that_holds_the_store_longer_than_the_busy_timeout(
    sqlite_store,
):
    engine, tables = sqlite_store
    events = EventFactory("turns", "http://127.0.0.1:8000")

    def unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, OutboxWriter(tables.outbox), events)

    def event_for(key: str) -> Any:
        return events.create(product="things", major=1, entity="thing", verb="changed", key=key, data={"key": key})

    with unit_of_work() as uow:
        uow.publish(event_for("first"))
        uow.commit()
    producer = RecordingProducer()
    relay = OutboxRelay(engine, tables.outbox, lambda: producer)
    holding, release = threading.Event(), threading.Event()

    def command() -> None:
        with unit_of_work() as uow:
            uow.publish(event_for("second"))
            uow.session.flush()  # SQLite's write lock is taken now
            holding.set()
            release.wait(10)
            uow.commit()

    writer = threading.Thread(target=command)
    writer.start()
    assert holding.wait(10)
    outcome: dict[str, Any] = {}
    relaying = threading.Thread(target=lambda: outcome.update(published=_relayed(relay, outcome)))
    relaying.start()
    assert producer.flushed.wait(10)
    time.sleep(5 * BUSY_TIMEOUT_SECONDS)  # the relay now waits to mark its row; racing SQLite it would have failed
    release.set()
    writer.join(10)
    relaying.join(10)

    assert outcome == {"published": 1}
    with engine.connect() as connection:
        published = connection.execute(
            select(func.count()).where(tables.outbox.c.published_at.is_not(None))).scalar_one()
        waiting = connection.execute(select(func.count()).where(tables.outbox.c.published_at.is_(None))).scalar_one()
    assert (published, waiting) == (1, 1)  # the relay's row marked; the unit of work's row committed, still to send


def test_a_subscriptions_batch_is_applied_after_a_unit_of_work_that_holds_the_store_longer_than_the_busy_timeout(
    sqlite_store,
):
    engine, tables = sqlite_store
    events = EventFactory("turns", "http://127.0.0.1:8000")
    outbox = OutboxWriter(tables.outbox)
    consumed = events.create(product="things", major=1, entity="thing", verb="changed", key="k", data={"key": "k"})

    def handler(session: Any, message: Any) -> None:  # a handler that writes: it stages an event of its own
        outbox.add(session, events.create(product="things", major=1, entity="thing", verb="seen", key="k",
                                          data={"key": message.id}))

    batches = BatchHandler(engine=engine, tables=tables, group_id="turns", handlers={consumed.type: handler},
                           ignored=frozenset(), park=lambda record, reason: None)
    holding, release = threading.Event(), threading.Event()

    def command() -> None:
        with SqlUnitOfWork(engine, outbox, events) as uow:
            uow.publish(events.create(product="things", major=1, entity="thing", verb="changed", key="c", data={}))
            uow.session.flush()  # SQLite's write lock is taken now
            holding.set()
            release.wait(10)
            uow.commit()

    writer = threading.Thread(target=command)
    writer.start()
    assert holding.wait(10)
    outcome: dict[str, Any] = {}

    def consume() -> None:
        try:
            outcome["handled"] = batches.handle([(object(), consumed)])
        except Exception as e:  # recorded for the assertion: the batch must not fail
            outcome["error"] = f"{type(e).__name__}: {e}"

    consuming = threading.Thread(target=consume)
    consuming.start()
    time.sleep(5 * BUSY_TIMEOUT_SECONDS)  # the batch now waits for its turn; racing SQLite it would have failed
    release.set()
    writer.join(10)
    consuming.join(10)

    assert outcome == {"handled": (1, 1)}
    with engine.connect() as connection:
        processed = connection.execute(select(tables.processed_events.c.event_id)).scalars().all()
        staged = connection.execute(select(func.count()).select_from(tables.outbox)).scalar_one()
    assert processed == [consumed.id]
    assert staged == 2  # the unit of work's event and the handler's


def _relayed(relay: OutboxRelay, outcome: dict[str, Any]) -> int | None:
    try:
        return relay.relay_once()
    except Exception as e:  # recorded for the assertion: the relay must not fail
        outcome["error"] = f"{type(e).__name__}: {e}"
        return None


def test_units_of_work_and_the_relay_of_one_sqlite_store_share_one_turn_and_postgresql_takes_none(sqlite_store):
    engine, _ = sqlite_store
    other = create_engine("sqlite://")
    postgresql = create_engine("postgresql+psycopg://user@127.0.0.1/none")  # never connected: only its dialect

    assert writer_lock(engine) is writer_lock(engine)
    assert writer_lock(other) is not writer_lock(engine)
    assert writer_lock(postgresql) is None
