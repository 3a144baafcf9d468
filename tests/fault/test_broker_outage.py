"""A broker outage delays events but loses none: 10,000 commands while the broker is killed twice and restarted."""

from __future__ import annotations

import threading
import time

from mesh_platform.outbox.relay import OutboxRelay, kafka_producer_factory
from mesh_platform.subscriptions import Subscription
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher

from .conftest import wait_until
from .ledger import EVENT_TYPE, TOPIC, LedgerStore

COMMANDS = 10_000
WRITERS = 4
ACCOUNTS = 50


def test_ten_thousand_commands_survive_two_broker_crashes_with_exact_totals(crashable_broker, postgres_url, tmp_path):
    from mesh_tools.testing.postgres import admin_url, create_database, drop_database

    connection = crashable_broker.admin_settings
    source = LedgerStore.create(postgres_url)
    subscriber_url = create_database(admin_url())
    try:
        sink = LedgerStore.create(subscriber_url)
        relay = OutboxRelay(source.engine, source.tables.outbox, kafka_producer_factory(connection, "ledger-relay"),
                            max_backoff=2.0)
        subscription = Subscription(
            engine=sink.engine, tables=sink.tables, group_id="totals", topics=[TOPIC],
            handlers={EVENT_TYPE: sink.add_to_totals}, bootstrap_servers=connection,
            dead_letters=DeadLetterPublisher(connection),
        )
        committed = [0] * WRITERS
        failures: list[BaseException] = []

        def write(writer: int) -> None:
            try:
                for n in range(COMMANDS // WRITERS):
                    source.record(f"account-{(writer * 7919 + n) % ACCOUNTS}", 1 + n % 9)
                    committed[writer] += 1
            except BaseException as e:  # a command must never fail because the broker is down
                failures.append(e)

        relay.start()
        subscription.start()
        writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in writers:
            thread.start()
        outages = []
        for crash_at in (COMMANDS // 5, COMMANDS // 2):
            wait_until(lambda at=crash_at: sum(committed) >= at, 240, f"{crash_at} commands committed")
            crashable_broker.kill()
            down_at = time.monotonic()
            time.sleep(3)  # commands go on meanwhile: they need only the domain's own store
            crashable_broker.start()
            outages.append(time.monotonic() - down_at)
        for thread in writers:
            thread.join()
        assert failures == []
        assert sum(committed) == COMMANDS

        caught_up = wait_until(
            lambda: sum(events for _amount, events in sink.totals_by_account().values()) >= COMMANDS,
            300, "every event handled by the subscriber",
        )
        time.sleep(2)  # any late duplicate delivery would show up now
        subscription.stop()
        relay.stop()

        assert source.count(source.tables.outbox, source.tables.outbox.c.published_at.is_(None)) == 0
        totals = sink.totals_by_account()
        assert {account: amount for account, (amount, _events) in totals.items()} == source.sums_by_account()
        assert sum(events for _amount, events in totals.values()) == COMMANDS  # none lost, none applied twice
        assert sink.count(sink.tables.processed_events) == COMMANDS
        print(f"\nbroker down {outages[0]:.1f}s and {outages[1]:.1f}s; subscriber caught up {caught_up:.1f}s after "
              f"the last command")
    finally:
        source.engine.dispose()
        drop_database(subscriber_url)
