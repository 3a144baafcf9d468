"""The ledger domain as a process of its own, for crash tests: ``python ledger_service.py burst|drain <store-url>``.

``burst`` records entries as fast as it can while its outbox relay publishes them, until it is killed; ``drain``
only publishes what the outbox still holds, then exits 0. Kafka credentials come from the environment.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ledger import LedgerStore

from mesh_platform.kafka.client import KafkaClientSettings
from mesh_platform.outbox.relay import OutboxRelay, kafka_producer_factory


def main(mode: str, url: str) -> int:
    store = LedgerStore.create(url)
    relay = OutboxRelay(store.engine, store.tables.outbox, kafka_producer_factory(KafkaClientSettings(), "ledger"))
    if mode == "drain":
        while relay.pending():
            relay.relay_once()
        return 0
    relay.start()
    n = 0
    while True:  # until SIGKILL
        store.record(f"account-{n % 50}", 1 + n % 9)
        relay.wake()
        n += 1
        if n % 200 == 0:
            time.sleep(0.01)  # let the relay thread in


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
