"""Scale-out on a real three-node Kafka cluster: ``mesh up --brokers 3 --replicas 2 --postgres`` under load, with one
broker and one instance of every domain SIGKILLed, loses, doubles and reorders nothing, and says how long
publishing paused after the broker died."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs
from mesh_tools.launcher.postgres_stores import database_name
from mesh_tools.launcher.supervisor import port_in_use, read_state
from mesh_tools.launcher.topology import discover_services, env_name
from mesh_tools.testing.ports import free_port
from mesh_tools.testing.postgres import admin_url, drop_database

from .conftest import wait_until

BROKERS = 3
REPLICAS = 2
STEP = 100  # instance/node n listens on its port + 100·(n-1)
DOMAINS = ("roster", "schedule", "results", "stats")
FIGHTERS = 120
CARDS = 50
BOUTS_PER_CARD = 10  # each card: 20 distinct fighters; 1,170 commands in all
THREADS = 4
COMMAND_DEADLINE = 240.0  # a command retried (same Idempotency-Key) this long before it counts as failed
READY_TIMEOUT = 300


def free_port_series(count: int) -> int:
    """A port p with p + 100·k free for k < count (a service's instances, a cluster's nodes)."""
    while True:
        port = free_port()
        if port + STEP * (count - 1) < 65536 and not any(
            port_in_use("127.0.0.1", port + STEP * k) for k in range(1, count)
        ):
            return port


@dataclass
class ScaledMesh:
    process: subprocess.Popen
    run_dir: Path
    urls: dict[str, list[str]]
    kafka: dict
    stores: dict[str, str]
    output: list[str] = field(default_factory=list)

    def engine(self, service: str) -> Engine:
        return create_engine(self.stores[service])


@pytest.fixture
def scaled_mesh(tmp_path) -> ScaledMesh:
    run_dir = tmp_path / "run"
    prefix = f"scale_{uuid.uuid4().hex[:8]}_"  # databases of this run only, dropped afterwards
    environ = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    urls: dict[str, list[str]] = {}
    for spec in discover_services(environ):
        port = free_port_series(REPLICAS)
        environ[f"{env_name(spec.name)}_PORT"] = str(port)
        count = 1 if spec.name == "catalog" else REPLICAS
        urls[spec.name] = [f"http://127.0.0.1:{port + STEP * n}" for n in range(count)]
    kafka_port, controller_port = free_port_series(BROKERS), free_port_series(BROKERS)
    while abs(kafka_port - controller_port) % STEP == 0:
        controller_port = free_port_series(BROKERS)
    environ.update(KAFKA_PORT=str(kafka_port), KAFKA_CONTROLLER_PORT=str(controller_port), MESH_RUN_DIR=str(run_dir),
                   MESH_POSTGRES_URL=admin_url(), MESH_POSTGRES_DATABASE_PREFIX=prefix, KAFKA_HEAP="384m",
                   MESH_CATALOG_ENABLED="true", COLUMNS="400", TERM="dumb")
    command = [str(Path(sys.executable).parent / "mesh"), "up", "--no-demo", "--brokers", str(BROKERS),
               "--replicas", str(REPLICAS), "--postgres"]
    process = subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True).start()
    stores = {name: make_url(admin_url()).set(database=database_name(name, prefix)).render_as_string(False)
              for name in urls}
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not any("press Ctrl-C" in line for line in output):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("mesh up did not become ready:\n" + "".join(output[-60:]))
            time.sleep(0.5)
        admin = KafkaClientSettings(
            bootstrap_servers=",".join(f"127.0.0.1:{kafka_port + STEP * n}" for n in range(BROKERS)),
            security_protocol="SASL_PLAINTEXT", username="admin",
            password=(run_dir / "kafka" / "secrets" / "admin.password").read_text().strip())
        yield ScaledMesh(process, run_dir, urls, kafka_client_kwargs(admin), stores, output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for url in stores.values():
            drop_database(url)


class Load:
    """Commands as the demo operator from several threads, alternating between a domain's instances; a command
    that fails (instance killed, event not arrived yet) is repeated with its Idempotency-Key on the other one."""

    def __init__(self, mesh: ScaledMesh) -> None:
        from mesh_tools.cli.demo_clients import credentials_of

        self.mesh = mesh
        self.auth = credentials_of(mesh.run_dir, "demo-operator", mesh.urls["catalog"][0])
        self.accepted = 0
        self.results: dict[str, tuple[str, str]] = {}  # bout id -> (winner, loser)
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self._turn = itertools.count()

    def command(self, client: httpx.Client, domain: str, path: str, body: dict) -> dict | None:
        key = str(uuid.uuid4())
        instances = self.mesh.urls[domain]
        first = next(self._turn)
        deadline = time.monotonic() + COMMAND_DEADLINE
        last = ""
        for attempt in itertools.count():
            url = instances[(first + attempt) % len(instances)] + path
            try:
                response = client.post(url, json=body, headers={"Idempotency-Key": key}, auth=self.auth)
                if response.status_code in (200, 201):
                    with self._lock:
                        self.accepted += 1
                    return response.json()
                last = f"{response.status_code} {response.text[:200]}"
            except httpx.HTTPError as e:
                last = f"{type(e).__name__}: {e}"
            if time.monotonic() > deadline:
                with self._lock:
                    self.failures.append(f"POST {path}: {last}")
                return None
            time.sleep(min(2.0, 0.1 * (attempt + 1)))
        return None

    def fighters(self, thread: int, ids: list[str | None]) -> None:
        with httpx.Client(timeout=30) as client:
            for n in range(thread, FIGHTERS, THREADS):
                body = {"name": f"Scale Fighter {n}", "nickname": None, "date_of_birth": "1990-01-01",
                        "nationality": "US", "weight_class": "welterweight", "stance": "orthodox",
                        "height_cm": 180, "reach_cm": 185}
                reply = self.command(client, "roster", "/fighters", body)
                ids[n] = reply and reply["fighter_id"]

    def cards(self, thread: int, fighter_ids: list[str]) -> None:
        with httpx.Client(timeout=30) as client:
            for card_number in range(thread, CARDS, THREADS):
                card = self.command(client, "schedule", "/cards", {
                    "name": f"Scale Night {card_number}", "date": str(date(2001, 1, 6) + timedelta(weeks=card_number)),
                    "venue": "Test Arena", "city": "Las Vegas", "country": "US"})
                if card is None:
                    continue
                # 20 distinct fighters per card, a different selection on every card.
                start = (card_number * 37) % FIGHTERS
                chosen = [fighter_ids[(start + k * 7) % FIGHTERS] for k in range(2 * BOUTS_PER_CARD)]
                for order in range(1, BOUTS_PER_CARD + 1):
                    red, blue = chosen[2 * order - 2], chosen[2 * order - 1]
                    bout = self.command(client, "schedule", f"/cards/{card['card_id']}/bouts", {
                        "red_fighter_id": red, "blue_fighter_id": blue, "weight_class": "welterweight",
                        "order_on_card": order})
                    if bout is None:
                        continue
                    winner, loser = (red, blue) if (card_number + order) % 3 else (blue, red)
                    result = self.command(client, "results", f"/bouts/{bout['bout_id']}/result", {
                        "outcome": "win", "winner_fighter_id": winner, "method": "KO/TKO", "round": 1 + order % 3,
                        "time": "2:30"})
                    if result is not None:
                        with self._lock:
                            self.results[bout["bout_id"]] = (winner, loser)


def wait_until_or_timeout(condition, timeout: float) -> None:
    """Poll ``condition`` until true or ``timeout`` seconds passed; the assertions after it say what is wrong."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.5)


def sigkill_group(pid: int) -> None:
    os.killpg(pid, signal.SIGKILL)


def topic_records(kafka: dict, topic: str) -> list:
    """Every record of ``topic``, partition by partition in offset order."""
    consumer = KafkaConsumer(**kafka, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        records: dict[TopicPartition, list] = defaultdict(list)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for tp, batch in consumer.poll(timeout_ms=1000).items():
                records[tp].extend(batch)
        return [record for tp in partitions for record in records[tp]]
    finally:
        consumer.close()


def parked_events(kafka: dict, subscriber: str) -> list[dict[str, str]]:
    """The headers (event id, reason…) of what ``subscriber`` parked on its dead-letter topic, to say why an event
    was not processed."""
    try:
        return [{key: value.decode(errors="replace") for key, value in record.headers}
                for record in topic_records(kafka, f"{subscriber}.dlq")]
    except Exception as e:  # a diagnosis only: never hide the assertion it explains
        return [{"error": f"{type(e).__name__}: {e}"}]


def query(engine: Engine, sql: str) -> list:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)))


def test_a_broker_and_an_instance_of_every_domain_die_under_load_and_nothing_is_lost_doubled_or_reordered(
    scaled_mesh,
):
    from mesh_tools.cli.demo_clients import credentials_of

    mesh = scaled_mesh
    load = Load(mesh)
    fighter_ids: list[str | None] = [None] * FIGHTERS
    threads = [threading.Thread(target=load.fighters, args=(t, fighter_ids)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert load.failures == [] and None not in fighter_ids
    threads = [threading.Thread(target=load.cards, args=(t, fighter_ids)) for t in range(THREADS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()

    total_results = CARDS * BOUTS_PER_CARD
    wait_until(lambda: len(load.results) >= total_results // 4, 300, "a quarter of the results recorded")
    broker_pid = int((mesh.run_dir / "kafka" / "node-1" / "kafka.pid").read_text())
    sigkill_group(broker_pid)
    broker_killed_at = time.time()
    wait_until(lambda: len(load.results) >= total_results // 2, 300, "half of the results recorded")
    state = read_state(mesh.run_dir)
    for domain in DOMAINS:
        sigkill_group(state[domain]["pid"])  # instance 1 of every domain; mesh up restarts it
    domains_killed_at = time.time()
    for thread in threads:
        thread.join()
    load_seconds = time.monotonic() - began

    assert load.failures == []
    assert len(load.results) == total_results

    # Nothing lost: every accepted result is in stats' records, which add up exactly to the results recorded.
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for winner, loser in load.results.values():
        expected[winner][0] += 1
        expected[loser][1] += 1
    reader = credentials_of(mesh.run_dir, "demo-reader", mesh.urls["catalog"][0])

    def stats_records() -> dict[str, list[int]] | None:
        try:
            response = httpx.get(f"{mesh.urls['stats'][1]}/data-products/fighter-records/v1", params={"limit": 1000},
                                 auth=reader, timeout=30)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            print(f"stats answered {response.status_code}: {response.text[:200]}")
            return None
        page = response.json()
        assert page["next_cursor"] is None
        return {record["fighter_id"]: [record["wins"], record["losses"]] for record in page["items"]
                if record["wins"] + record["losses"]}

    caught_up = wait_until(lambda: stats_records() == dict(expected), 240, "stats' records add up to the results")
    engines = {domain: mesh.engine(domain) for domain in DOMAINS}
    try:
        def owner_outboxes() -> dict[str, dict[str, Any]]:
            return {domain: {row.event_id: row for row in query(engine, "SELECT id, event_id, topic, message_key, "
                                                                        "published_at FROM outbox_messages")}
                    for domain, engine in engines.items()}

        def processed_by_topic(engine: Engine) -> dict[str, list[str]]:
            by_topic: dict[str, list[str]] = defaultdict(list)
            for topic, event_id in query(engine, "SELECT topic, event_id FROM processed_events"):
                by_topic[topic].append(event_id)
            return {topic: sorted(event_ids) for topic, event_ids in by_topic.items()}

        def events_of(outboxes: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
            by_topic: dict[str, set[str]] = defaultdict(set)
            for events in outboxes.values():
                for row in events.values():
                    by_topic[row.topic].add(row.event_id)
            return by_topic

        # Stats is consistent, but the mesh may still be moving: schedule marks bouts completed from results'
        # events, and results then handles those bout updates. Outboxes and processed events are read afresh on
        # every poll until the mesh is quiet (every row published, every subscriber at its topics' last event).
        def quiet() -> bool:
            outboxes = owner_outboxes()
            by_topic = events_of(outboxes)
            return all(row.published_at is not None for events in outboxes.values() for row in events.values()) and all(
                event_ids == sorted(by_topic[topic]) for engine in engines.values()
                for topic, event_ids in processed_by_topic(engine).items())

        wait_until_or_timeout(quiet, 240)
        owner_events = owner_outboxes()
        assert all(row.published_at is not None for events in owner_events.values() for row in events.values()), \
            "outbox rows left unpublished"
        events_by_topic = events_of(owner_events)

        # Nothing doubled or lost: each subscriber processed every event of its topics exactly once (one row per id).
        for domain, engine in engines.items():
            for topic, event_ids in processed_by_topic(engine).items():
                missing = sorted(events_by_topic[topic] - set(event_ids))
                assert event_ids == sorted(events_by_topic[topic]), (
                    f"{domain} on {topic}: {len(missing)} not processed {missing[:5]}; parked in {domain}.dlq: "
                    f"{parked_events(mesh.kafka, domain) if missing else []}")

        # Nothing reordered per key: on every product topic, each key's events first appear in outbox order.
        resent = 0
        for events in owner_events.values():
            for topic in sorted({row.topic for row in events.values()}):
                first_seen: dict[str, list[int]] = defaultdict(list)
                bouts_seen: dict[str, list[int]] = defaultdict(list)  # per fighter, on stats' records topic
                seen: set[str] = set()
                for record in topic_records(mesh.kafka, topic):
                    event_id = dict(record.headers)["ce_id"].decode()
                    if event_id in seen:
                        resent += 1
                        continue
                    seen.add(event_id)
                    first_seen[record.key.decode()].append(events[event_id].id)
                    if topic == "stats.fighter-records.v1":
                        data = json.loads(record.value)
                        bouts_seen[record.key.decode()].append(data["wins"] + data["losses"])
                assert seen == events_by_topic[topic], f"{topic}: events missing from or foreign to the topic"
                disordered = {key: ids for key, ids in first_seen.items() if ids != sorted(ids)}
                assert disordered == {}, f"{topic}: keys whose events arrived out of order"
                shrinking = {key: counts for key, counts in bouts_seen.items() if counts != sorted(counts)}
                assert shrinking == {}, "a fighter's record went backwards: stats applied results out of order"

        # How long publishing paused: the longest gap between consecutive acknowledged publishes (published_at is
        # set once the broker acknowledged) from the broker's death until the domains were killed.
        published = sorted(row.published_at.timestamp() for events in owner_events.values() for row in events.values())
        after_broker = [t for t in published if broker_killed_at - 1 <= t <= domains_killed_at]
        after_domains = [t for t in published if t >= domains_killed_at - 1]
        broker_pause = max((b - a for a, b in itertools.pairwise(after_broker)), default=0.0)
        domains_pause = max((b - a for a, b in itertools.pairwise(after_domains)), default=0.0)
    finally:
        for engine in engines.values():
            engine.dispose()
    print(f"\n{load.accepted} commands in {load_seconds:.0f}s ({len(load.results)} results) on {BROKERS} brokers and "
          f"{REPLICAS} instances per domain; publishing paused {broker_pause:.1f}s at most after a broker was killed, "
          f"{domains_pause:.1f}s after an instance of every domain was; {resent} records re-sent (absorbed); stats "
          f"consistent {caught_up:.1f}s after the load")
