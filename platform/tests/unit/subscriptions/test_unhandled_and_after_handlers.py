"""An event type nobody declared is parked, not dropped; ignored types are recorded; the after-step runs per batch."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, create_engine, func, insert, select

from mesh_platform.events.factory import EventFactory
from mesh_platform.store.platform_tables import define_platform_tables
from mesh_platform.subscriptions import Subscription
from mesh_tools.testing.events import consumed


class FakeDeadLetters:
    """Keeps what would have gone to the dead-letter topic."""

    def __init__(self) -> None:
        self.parked: list[tuple[str, str]] = []
        self.closed = False

    def publish(self, record, *, reason: str, consumer_group: str) -> None:
        self.parked.append((record.topic, reason))

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def store(tmp_path):
    metadata = MetaData()
    tables = define_platform_tables(metadata)
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    metadata.create_all(engine)
    yield engine, tables
    engine.dispose()


EVENTS = EventFactory("producer", "http://catalog.invalid")


def event(verb: str, key: str = "k"):
    return EVENTS.create(product="things", major=1, entity="thing", verb=verb, key=key, data={"key": key})


def subscription(store, dead_letters, **kwargs) -> Subscription:
    engine, tables = store
    return Subscription(engine=engine, tables=tables, group_id="consumer", topics=["producer.things.v1"],
                        bootstrap_servers="unused:9092", dead_letters=dead_letters, **kwargs)


def processed(store) -> list[str]:
    engine, tables = store
    with engine.connect() as connection:
        return list(connection.execute(select(tables.processed_events.c.event_type)).scalars())


def test_an_event_type_neither_handled_nor_ignored_is_parked_with_the_reason_and_not_recorded(store):
    dead_letters = FakeDeadLetters()
    handled = []
    sub = subscription(store, dead_letters, handlers={"octagon.producer.thing.created.v1": lambda s, m: handled.append(m)})
    assert sub.process(consumed(event("renamed")))
    assert dead_letters.parked == [("producer.things.v1", "no handler: consumer neither handles nor ignores "
                                    "octagon.producer.thing.renamed.v1")]
    assert processed(store) == [] and handled == []
    # Re-driving it before the subscriber's code changed leaves it parked, with the same reason.
    assert sub.handle_parked(consumed(event("renamed"))).startswith("no handler: consumer neither handles")


def test_an_ignored_event_type_is_recorded_as_processed_without_a_handler_or_dead_letter(store):
    dead_letters = FakeDeadLetters()
    sub = subscription(store, dead_letters, handlers={"octagon.producer.thing.created.v1": lambda s, m: None},
                       ignored={"octagon.producer.thing.renamed.v1"})
    assert sub.process(consumed(event("renamed")))
    assert dead_letters.parked == []
    assert processed(store) == ["octagon.producer.thing.renamed.v1"]


def test_the_after_step_runs_once_per_batch_after_every_handler_in_the_same_transaction(store):
    engine, tables = store
    journal: list[str] = []

    def handler(session, message):
        journal.append(f"handled {message.data['key']}")

    def after(session):
        journal.append("after")
        session.execute(insert(tables.processed_events).values(  # a write that commits with the batch
            consumer_group="derived", event_id="after", event_type="after", topic="-", processed_at=func.now()))

    sub = subscription(store, FakeDeadLetters(), handlers={"octagon.producer.thing.created.v1": handler},
                       after_handlers=after)
    sub._handle(sub._decode_all([consumed(event("created", "a")), consumed(event("created", "b"))]))
    assert journal == ["handled a", "handled b", "after"]
    assert processed(store).count("after") == 1


def test_a_batch_of_only_ignored_events_skips_the_after_step(store):
    ran = []
    sub = subscription(store, FakeDeadLetters(), handlers={"octagon.producer.thing.created.v1": lambda s, m: None},
                       ignored={"octagon.producer.thing.renamed.v1"}, after_handlers=ran.append)
    assert sub.process(consumed(event("renamed")))
    assert ran == []


def test_a_failing_after_step_commits_nothing_of_the_batch_so_it_is_retried(store):
    def after(session):
        raise RuntimeError("derivation broke")

    dead_letters = FakeDeadLetters()
    sub = subscription(store, dead_letters, handlers={"octagon.producer.thing.created.v1": lambda s, m: None},
                       after_handlers=after)
    with pytest.raises(Exception, match="derivation broke"):
        sub._handle(sub._decode_all([consumed(event("created"))]))
    assert processed(store) == []  # nothing recorded: the same events are handled again on the retry
    assert dead_letters.parked == []  # and no single event is blamed for it


def test_a_stopped_subscription_closes_its_dead_letter_producer(store):
    dead_letters = FakeDeadLetters()
    sub = subscription(store, dead_letters, handlers={"octagon.producer.thing.created.v1": lambda s, m: None})
    sub.stop()
    assert dead_letters.closed and sub.health.state == "stopped"
