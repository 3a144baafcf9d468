"""Outbox → Kafka → idempotent subscriber throughput against raw kafka-python producer → consumer on the same
broker (target ≥ 0.5×), and end-to-end latency p50 at half that load (target ≤ 50 ms).

The mesh path is the real one, in two processes as deployed: units of work commit events to a SQLite outbox, the
OutboxRelay publishes them as CloudEvents, a Subscription in the subscribing domain's process handles each once
(processed-event row + a state change in its own SQLite store) and commits offsets. Throughput is measured from
a filled outbox (the relay's start) to the last event handled; the baseline sends the same payloads with a bare
producer and reads them with a bare consumer. Latency is from a unit of work's commit to the handler.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import Column, Float, MetaData, String, Table, insert

from mesh_platform.events import EventFactory
from mesh_platform.kafka import LocalKafkaBroker, ensure_topics
from mesh_platform.kafka.client import kafka_client_kwargs
from mesh_platform.outbox import OutboxRelay, OutboxWriter
from mesh_platform.outbox.relay import kafka_producer_factory
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.platform_tables import define_platform_tables
from mesh_platform.store.unit_of_work import SqlUnitOfWork
from mesh_platform.subscriptions import Subscription
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher, dead_letter_topic
from mesh_platform.testing.ports import free_port

EVENTS = 3000
PAYLOAD = {"name": "Fighter Name", "weight_class": "lightweight", "status": "active", "padding": "x" * 300}


def raw_throughput(bootstrap: str) -> float:
    topic = f"raw-{uuid.uuid4().hex[:8]}"
    ensure_topics(bootstrap, [topic])  # brokers never auto-create topics
    producer = KafkaProducer(**kafka_client_kwargs(bootstrap), acks="all", linger_ms=2)
    consumer = KafkaConsumer(topic, **kafka_client_kwargs(bootstrap), group_id=f"raw-{uuid.uuid4().hex[:6]}",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    consumer.poll(timeout_ms=100)
    import json

    started = time.perf_counter()
    for index in range(EVENTS):
        producer.send(topic, value=json.dumps({**PAYLOAD, "n": index}).encode(), key=str(index % 50).encode())
    producer.flush()
    received = 0
    while received < EVENTS:
        received += sum(len(batch) for batch in consumer.poll(timeout_ms=500).values())
    elapsed = time.perf_counter() - started
    producer.close()
    consumer.close()
    return EVENTS / elapsed


def run_subscriber(bootstrap: str, workdir: str, domain: str, expected: int, results) -> None:
    """The subscribing domain, in its own process as deployed: handles events until ``expected`` arrived."""
    metadata = MetaData()
    tables = define_platform_tables(metadata)
    seen = Table("seen", metadata, Column("event_id", String(64), primary_key=True), Column("latency", Float))
    engine = create_store_engine(f"sqlite:///{workdir}/{domain}-subscriber.db")
    metadata.create_all(engine)
    latencies: list[float] = []
    first_handled: list[float] = []
    done = threading.Event()

    def handle(session, message) -> None:
        if not first_handled:
            first_handled.append(time.time())
        latency = time.time() - message.data["sent_at"]
        session.execute(insert(seen).values(event_id=message.id, latency=latency))
        latencies.append(latency)
        if len(latencies) >= expected:
            done.set()

    subscription = Subscription(
        engine=engine, tables=tables, group_id=f"{domain}-subscriber", topics=[f"{domain}.things.v1"],
        handlers={f"octagon.{domain}.thing.changed.v1": handle}, bootstrap_servers=bootstrap,
        dead_letters=DeadLetterPublisher(bootstrap), poll_timeout_ms=100,
    )
    subscription.start()
    results.put("subscribed")
    finished = done.wait(300)
    results.put((time.time() if finished else None, latencies))
    subscription.stop()


class ProducingDomain:
    """A domain's store with the platform's outbox, and its relay."""

    def __init__(self, bootstrap: str, workdir: Path, domain: str) -> None:
        metadata = MetaData()
        tables = define_platform_tables(metadata)
        self.engine = create_store_engine(f"sqlite:///{workdir}/{domain}-producer.db")
        metadata.create_all(self.engine)
        self.relay = OutboxRelay(self.engine, tables.outbox, kafka_producer_factory(bootstrap, "bench-relay"))
        self.events = EventFactory(domain, "http://127.0.0.1:8000")
        self.outbox = OutboxWriter(tables.outbox)

    def commit_event(self, index: int) -> None:
        """One state change's unit of work: its event commits to the outbox."""
        with SqlUnitOfWork(self.engine, self.outbox, self.events, on_commit=self.relay.wake) as uow:
            uow.publish(self.events.create(product="things", major=1, entity="thing", verb="changed",
                                           key=str(index % 50), data={**PAYLOAD, "n": index, "sent_at": time.time()}))
            uow.commit()


def mesh_run(bootstrap: str, workdir: Path, count: int, rate: float | None) -> tuple[float, list[float]]:
    """Deliver ``count`` events; flat out (outbox filled first, then relayed) or committed at ``rate`` per second.

    Returns (events per second from the relay's start to the last event handled, handling latencies).
    """
    domain = f"bench{uuid.uuid4().hex[:6]}"
    ensure_topics(bootstrap, [f"{domain}.things.v1", dead_letter_topic(f"{domain}-subscriber")])
    producing = ProducingDomain(bootstrap, workdir, domain)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    subscriber = context.Process(target=run_subscriber, args=(bootstrap, str(workdir), domain, count, results))
    subscriber.start()
    assert results.get(timeout=60) == "subscribed"
    producing.commit_event(-1)  # the subscriber joins its group meanwhile
    time.sleep(3)
    if rate is None:
        for index in range(count - 1):
            producing.commit_event(index)
        started = time.time()
        producing.relay.start()
    else:
        producing.relay.start()
        started = time.time()
        for index in range(count - 1):
            delay = started + index / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            producing.commit_event(index)
    finished, latencies = results.get(timeout=300)
    subscriber.join(30)
    producing.relay.stop()
    if finished is None:
        raise RuntimeError(f"only {len(latencies)} of {count} events were handled")
    return (count - 1) / (finished - started), latencies


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: at tiny sizes, only to show it still runs."""
    global EVENTS
    if smoke:
        EVENTS = 100
    attempts = 1 if smoke else 2
    with tempfile.TemporaryDirectory() as workdir:
        external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        broker = None
        if not external:
            broker = LocalKafkaBroker(Path(workdir) / "kafka", port=free_port(), controller_port=free_port())
            broker.start()
            # Both benchmark processes connect as the broker's super user (SASL/SCRAM): the ACLs are not measured.
            admin = broker.admin_settings
            os.environ.update(KAFKA_SECURITY_PROTOCOL=admin.security_protocol, KAFKA_USERNAME=admin.username or "",
                              KAFKA_PASSWORD=admin.password.get_secret_value() if admin.password else "")
        bootstrap = external or broker.bootstrap_servers
        try:
            raw = max(raw_throughput(bootstrap) for _ in range(attempts))
            mesh = max(mesh_run(bootstrap, Path(workdir), EVENTS, None)[0] for _ in range(attempts))
            half_load = mesh / 2
            _, latencies = mesh_run(bootstrap, Path(workdir), int(min(half_load, 400) * (1 if smoke else 5)), half_load)
            p50_ms = statistics.median(latencies) * 1000
        finally:
            if broker:
                broker.stop()
    ratio = mesh / raw
    return [
        f"| events: outbox → Kafka → idempotent subscriber | {mesh:.0f} events/s | raw kafka-python producer → consumer: "
        f"{raw:.0f} events/s | {ratio:.2f}× | ≥ 0.5× | {'met' if ratio >= 0.5 else 'missed'} |",
        f"| events: end-to-end latency p50 at half load ({half_load:.0f} events/s) | {p50_ms:.1f} ms | — | — | ≤ 50 ms "
        f"| {'met' if p50_ms <= 50 else 'missed'} |",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
