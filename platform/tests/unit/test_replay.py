from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select

from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.platform_tables import define_platform_tables
from mesh_platform.subscriptions.replay import BrokerUnreachable, ReplayRefused, SubscriptionReplay


class FakeSubscription:
    def __init__(self, group_id, topics, journal):
        self.group_id, self.topics, self.journal = group_id, topics, journal

    def stop(self, timeout=10.0):
        self.journal.append(("stop", self.group_id))

    def start(self):
        self.journal.append(("start", self.group_id))


class FakeRewinder:
    def __init__(self, journal, failure=None):
        self.journal, self.failure = journal, failure

    def rewind(self, group_ids):
        if self.failure:
            raise self.failure
        self.journal.append(("rewind", tuple(group_ids)))


@pytest.fixture
def store(tmp_path):
    metadata = MetaData()
    tables = define_platform_tables(metadata)
    derived = Table("derived", metadata, Column("key", String(10), primary_key=True))
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(derived), [{"key": "a"}, {"key": "b"}])
        connection.execute(insert(tables.processed_events), [
            {"consumer_group": group, "event_id": event_id, "event_type": "t", "topic": "x",
             "processed_at": datetime.now(UTC)}
            for group, event_id in [("stats", "e1"), ("stats", "e2"), ("other", "e3")]
        ])
    yield engine, tables, derived
    engine.dispose()


def count(engine, table, *where):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def replay_of(store, journal, rewinder=None, restart=True):
    engine, tables, derived = store
    subscriptions = [FakeSubscription("stats", ["b.v1", "a.v1"], journal)]
    return SubscriptionReplay(domain="stats", subscriptions=subscriptions, engine=engine, tables=tables,
                              rebuilt_tables=[derived], rewinder=rewinder or FakeRewinder(journal), restart=restart)


def test_replay_stops_rewinds_empties_and_restarts_in_that_order(store):
    journal = []
    report = replay_of(store, journal).replay()
    engine, tables, derived = store
    assert journal == [("stop", "stats"), ("rewind", ("stats",)), ("start", "stats")]
    assert count(engine, derived) == 0
    assert count(engine, tables.processed_events, tables.processed_events.c.consumer_group == "stats") == 0
    assert count(engine, tables.processed_events) == 1  # another group's idempotency is not ours to forget
    assert (report.consumer_groups, report.topics, report.emptied_tables, report.forgotten_events) == (
        ["stats"], ["a.v1", "b.v1"], ["derived"], 2)


def test_replay_that_cannot_rewind_changes_nothing_and_resumes_consuming(store):
    journal = []
    replay = replay_of(store, journal, FakeRewinder(journal, BrokerUnreachable("broker down")))
    with pytest.raises(BrokerUnreachable):
        replay.replay()
    engine, tables, derived = store
    assert journal == [("stop", "stats"), ("start", "stats")]
    assert (count(engine, derived), count(engine, tables.processed_events)) == (2, 3)


def test_replay_refused_while_another_consumer_holds_the_group_keeps_the_state(store):
    journal = []
    replay = replay_of(store, journal, FakeRewinder(journal, ReplayRefused("group still has members")))
    with pytest.raises(ReplayRefused):
        replay.replay()
    assert count(store[0], store[2]) == 2


def test_subscriptions_stay_stopped_where_the_service_does_not_run_them(store):
    journal = []
    report = replay_of(store, journal, restart=False).replay()
    assert ("start", "stats") not in journal and report.subscriptions_restarted is False


def test_a_second_replay_while_one_runs_is_refused(store):
    journal = []
    replay = replay_of(store, journal)

    class Reentrant(FakeRewinder):
        def rewind(self, group_ids):
            with pytest.raises(ReplayRefused, match="already running"):
                replay.replay()
            super().rewind(group_ids)

    replay.rewinder = Reentrant(journal)
    replay.replay()
    assert journal.count(("rewind", ("stats",))) == 1
