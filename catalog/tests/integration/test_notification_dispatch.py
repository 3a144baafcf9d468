"""The notification dispatcher over a real SQLite store: a notification stays queued while the broker refuses it and
goes out once it takes it; webhooks are retried on a 5xx and signed; a refused delivery is recorded, not retried."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa

from catalog.adapters.notification_dispatch import NotificationDispatcher
from catalog.adapters.trust_tables import define_trust_tables
from catalog.domain.notifications import Recipients, new_secret, verify
from mesh_platform.events.envelope import EventMessage


class FlakyBroker:
    """A publisher whose broker is away for the first ``outage`` attempts."""

    def __init__(self, outage: int) -> None:
        self.outage = outage
        self.published: list[EventMessage] = []

    def publish(self, message: EventMessage) -> None:
        if self.outage:
            self.outage -= 1
            raise ConnectionError("no broker answers")
        self.published.append(message)

    def close(self) -> None:
        pass


def store(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    tables = define_trust_tables(sa.MetaData())
    for table in tables.all():
        table.create(engine)
    return engine, tables


def queue(engine, tables, incident_id=None) -> None:
    with engine.begin() as connection:
        connection.execute(sa.insert(tables.notifications).values(
            event_id="e-1", type="octagon.catalog.incident.opened.v1", subject="roster/fighters",
            at=datetime.now(UTC), data={"kind": "incident.opened", "domain": "roster", "product": "fighters",
                                        "major": 1}, incident_id=incident_id, attempts=0))


def dispatcher(engine, tables, publisher, transport, notified) -> NotificationDispatcher:
    return NotificationDispatcher(
        engine, tables, topic="catalog.notifications.v1", publisher=publisher,
        recipients=lambda *_: Recipients(("stats",), (), ()), notified=lambda i, c: notified.append((i, c)),
        http=httpx.Client(transport=transport), attempts=3, backoff_seconds=0)


def test_a_notification_waits_out_a_broker_outage_and_counts_as_notified_once_out(tmp_path):
    engine, tables = store(tmp_path)
    queue(engine, tables, incident_id=7)
    broker, notified = FlakyBroker(outage=2), []
    sending = dispatcher(engine, tables, broker, httpx.MockTransport(lambda request: httpx.Response(204)), notified)
    assert sending.dispatch_once() == 0 and sending.dispatch_once() == 0
    with engine.connect() as connection:
        row = connection.execute(sa.select(tables.notifications)).mappings().one()
    assert row["published_at"] is None and row["attempts"] == 2 and "no broker answers" in row["last_error"]
    assert sending.dispatch_once() == 1
    [message] = broker.published
    assert (message.type, message.key, message.data["recipients"]["consumers"]) == (
        "octagon.catalog.incident.opened.v1", "roster/fighters", ["stats"])
    assert notified == [(7, "topic catalog.notifications.v1")]
    assert sending.dispatch_once() == 0  # nothing left


def test_webhooks_are_signed_retried_on_server_errors_and_refusals_recorded(tmp_path):
    engine, tables = store(tmp_path)
    secrets = {"flaky": new_secret(), "refusing": new_secret()}
    with engine.begin() as connection:
        for name, secret in secrets.items():
            connection.execute(sa.insert(tables.webhooks).values(
                owner="stats", url=f"http://{name}.test/hook", secret=secret, created_at=datetime.now(UTC),
                active=True))
    queue(engine, tables, incident_id=3)
    calls: dict[str, int] = {"flaky": 0, "refusing": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        name = request.url.host.split(".")[0]
        calls[name] += 1
        assert verify(secrets[name], dict(request.headers), request.content)
        assert json.loads(request.content)["type"] == "octagon.catalog.incident.opened.v1"
        if name == "refusing":
            return httpx.Response(410)
        return httpx.Response(503) if calls[name] < 3 else httpx.Response(204)

    notified: list = []
    assert dispatcher(engine, tables, None, httpx.MockTransport(answer), notified).dispatch_once() == 1
    assert calls == {"flaky": 3, "refusing": 1}
    with engine.connect() as connection:
        deliveries = {row["webhook_id"]: (row["status"], row["attempts"], row["response_status"])
                      for row in connection.execute(sa.select(tables.webhook_deliveries)).mappings()}
    assert deliveries == {1: ("delivered", 3, 204), 2: ("refused", 1, 410)}
    assert notified == [(3, "webhook")]
