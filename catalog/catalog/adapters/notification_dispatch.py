"""The dispatcher: a background thread that sends queued notifications out — on the catalog's Kafka topic as
CloudEvents (binary mode, as every topic of the mesh) and to the matching webhooks, signed and retried.

It never runs on a request: a change queues its notification in its own transaction and wakes the thread. A
notification stays queued until the topic has it (a broker outage delays it, never loses it); webhooks get a few
attempts with exponential back-off (tenacity), and each delivery — delivered or failed — is recorded.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
import sqlalchemy as sa
from sqlalchemy import Engine
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from catalog.adapters.trust_tables import TrustTables
from catalog.domain.notifications import SOURCE, Recipients, sign
from mesh_platform.events.envelope import EventMessage, kafka_headers, to_kafka_message

log = logging.getLogger(__name__)

_BATCH = 100


class Publisher(Protocol):
    """Sends one CloudEvent to the notification topic (raises if the broker did not take it)."""

    def publish(self, message: EventMessage) -> None: ...

    def close(self) -> None: ...


class KafkaPublisher:
    """Publishes on Kafka with kafka-python, connecting on first use (the catalog starts without a broker)."""

    def __init__(self, connection_kwargs: Callable[[], dict[str, Any]], timeout: float = 10.0) -> None:
        self.connection_kwargs = connection_kwargs
        self.timeout = timeout
        self._producer: Any = None

    def publish(self, message: EventMessage) -> None:
        if self._producer is None:
            from kafka import KafkaProducer

            self._producer = KafkaProducer(**self.connection_kwargs(), acks="all", linger_ms=5)
        encoded = to_kafka_message(message)
        self._producer.send(message.topic, key=message.key.encode(), value=encoded.value,
                            headers=kafka_headers(encoded)).get(timeout=self.timeout)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=2)
            self._producer = None


class WebhookFailed(Exception):
    """A webhook answered with a status that is worth retrying (5xx, 408, 429) or did not answer."""


class NotificationDispatcher:
    """Publishes queued notifications and delivers them to webhooks, on a thread of its own."""

    def __init__(
        self, engine: Engine, tables: TrustTables, *, topic: str, publisher: Publisher | None,
        recipients: Callable[[str, str, int], Recipients], notified: Callable[[int, str], None],
        http: httpx.Client | None = None, attempts: int = 3, backoff_seconds: float = 0.5, poll_seconds: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.topic = topic
        self.publisher = publisher
        self.recipients = recipients
        self.notified = notified
        self.http = http or httpx.Client(timeout=5.0, follow_redirects=False)
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="catalog-notifications", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.publisher is not None:
            self.publisher.close()
        self.http.close()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            try:
                while self.dispatch_once() and not self._stop.is_set():
                    pass
            except Exception:  # the store may be away for a moment; try again at the next wake or poll
                log.exception("dispatching notifications failed")

    def dispatch_once(self) -> int:
        """Send what is queued (one batch); how many notifications were handled."""
        n = self.tables.notifications
        pending = sa.or_(n.c.webhooks_done_at.is_(None), n.c.published_at.is_(None)) if self.publisher else \
            n.c.webhooks_done_at.is_(None)
        with self.engine.connect() as connection:
            rows = list(connection.execute(sa.select(n).where(pending).order_by(n.c.id).limit(_BATCH)).mappings())
        handled = 0
        for row in rows:
            data = dict(row["data"])
            data["recipients"] = self.recipients(data["domain"], data["product"], int(data["major"])).as_dict()
            message = EventMessage(id=row["event_id"], type=row["type"], source=SOURCE, topic=self.topic,
                                   key=row["subject"], time=_utc(row["at"]), data=data,
                                   extra_headers={"ce_subject": row["subject"]})
            changes: dict[str, Any] = {}
            if row["webhooks_done_at"] is None:
                delivered = self._deliver_webhooks(row["id"], message)
                changes["webhooks_done_at"] = self.clock()
                if delivered and row["incident_id"] is not None:
                    self.notified(row["incident_id"], "webhook")
            if self.publisher is not None and row["published_at"] is None:
                try:
                    self.publisher.publish(message)
                except Exception as e:  # kept queued: the next round tries again
                    changes.update(attempts=row["attempts"] + 1, last_error=f"{type(e).__name__}: {e}"[:1000])
                    log.warning("notification %s not published yet: %s", row["event_id"], e)
                else:
                    changes["published_at"] = self.clock()
                    if row["incident_id"] is not None:
                        self.notified(row["incident_id"], f"topic {self.topic}")
            with self.engine.begin() as connection:
                connection.execute(sa.update(n).where(n.c.id == row["id"]).values(**changes))
            handled += 1 if ("published_at" in changes or self.publisher is None) else 0
        return handled  # 0 when every publish failed: the rest waits for the next poll instead of spinning

    def _deliver_webhooks(self, notification_id: int, message: EventMessage) -> bool:
        """POST the event to every active webhook it is for; whether at least one took it."""
        recipients = set(message.data.get("recipients", {}).get("consumers") or ())
        for product in message.data.get("recipients", {}).get("downstream") or ():
            recipients.update(product.get("consumers") or ())
        w = self.tables.webhooks
        with self.engine.connect() as connection:
            hooks = list(connection.execute(sa.select(w).where(w.c.active.is_(True))).mappings())
        body = json.dumps(_structured(message), separators=(",", ":")).encode()
        any_delivered = False
        for hook in hooks:
            if not _matches(hook, message.data, recipients):
                continue
            status, code, error, attempts = self._post(hook["url"], hook["secret"], message.id, body)
            any_delivered |= status == "delivered"
            with self.engine.begin() as connection:
                connection.execute(sa.insert(self.tables.webhook_deliveries).values(
                    notification_id=notification_id, webhook_id=hook["id"], at=self.clock(), status=status,
                    attempts=attempts, response_status=code, error=error))
        return any_delivered

    def _post(self, url: str, secret: str, message_id: str, body: bytes) -> tuple[str, int | None, str | None, int]:
        attempts = 0
        code: int | None = None
        retrying = Retrying(stop=stop_after_attempt(self.attempts), reraise=True,
                            wait=wait_exponential(multiplier=self.backoff_seconds, max=10 * self.backoff_seconds),
                            retry=retry_if_exception_type((WebhookFailed, httpx.TransportError)))
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    timestamp = int(time.time())
                    response = self.http.post(url, content=body, headers={
                        "content-type": "application/cloudevents+json", "webhook-id": message_id,
                        "webhook-timestamp": str(timestamp), "webhook-signature": sign(secret, message_id, timestamp, body),
                    })
                    code = response.status_code
                    if code >= 500 or code in (408, 429):
                        raise WebhookFailed(f"answered {code}")
        except (WebhookFailed, httpx.HTTPError) as e:
            return "failed", code, f"{type(e).__name__}: {e}"[:1000], attempts
        if code is not None and code >= 400:
            return "refused", code, f"answered {code}", attempts
        return "delivered", code, None, attempts


def _matches(hook: Any, data: dict[str, Any], recipients: set[str]) -> bool:
    """A webhook gets a notification about its own product filter, or any whose recipients name its owner."""
    if hook["domain"]:
        return hook["domain"] == data["domain"] and (not hook["product"] or hook["product"] == data["product"])
    return hook["owner"] in recipients


def _structured(message: EventMessage) -> dict[str, Any]:
    """The CloudEvent in structured JSON mode (what a webhook receives)."""
    return {"specversion": "1.0", "id": message.id, "source": message.source, "type": message.type,
            "subject": message.key, "time": message.time.isoformat(), "datacontenttype": "application/json",
            "data": message.data}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
