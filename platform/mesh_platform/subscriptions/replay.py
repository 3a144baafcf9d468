"""Replay: rebuild the state a domain derives from events by consuming its topics again from the start.

This is what ``mesh replay <domain>`` asks a service for (``POST /admin/replay``, see
:func:`mesh_platform.http.admin.replay_router`). Data-product topics keep their whole history (DESIGN §5), so a
domain whose state is a function of the events can drop that state and read it all again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import CursorResult, Engine, Table, delete
from sqlalchemy.orm import Session

from mesh_platform.errors import Conflict
from mesh_platform.store.platform_tables import PlatformTables
from mesh_platform.store.writer_turns import writer_turn
from mesh_platform.subscriptions.subscriber import Subscription

if TYPE_CHECKING:
    from mesh_platform.kafka.client import KafkaClientSettings
    from mesh_platform.runtime.domain_service import DomainService

STOP_TIMEOUT_SECONDS = 60.0  # a subscription finishes the batch it is handling before it stops


class ReplayRefused(Conflict):
    """The replay cannot start now (one is running, or another consumer still holds the group); nothing changed."""


class BrokerUnreachable(Exception):
    """The broker could not be asked to forget the consumer groups' offsets; nothing changed."""


class GroupRewinder(Protocol):
    """Makes consumer groups start again at the beginning of their topics."""

    def rewind(self, group_ids: Sequence[str]) -> None:
        """Raise :class:`ReplayRefused` if a group still has members, :class:`BrokerUnreachable` on broker failure."""
        ...


class KafkaGroupRewinder:
    """Deletes consumer groups (their committed offsets) with ``KafkaAdminClient.delete_groups``.

    A group without committed offsets starts where ``auto_offset_reset`` says — the beginning, for subscriptions.
    A group that does not exist is already rewound. A group with members cannot be deleted; right after its last
    consumer closed the broker may still list it, so deletion is retried for a few seconds before refusing.
    """

    def __init__(
        self, bootstrap_servers: str | KafkaClientSettings, attempts: int = 10, retry_wait: float = 0.5
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.attempts = attempts
        self.retry_wait = retry_wait

    def rewind(self, group_ids: Sequence[str]) -> None:
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        from mesh_platform.kafka.client import kafka_client_kwargs, kafka_settings

        connection = kafka_settings(self.bootstrap_servers)
        try:
            admin = KafkaAdminClient(**kafka_client_kwargs(connection), client_id="mesh-replay",
                                     request_timeout_ms=10_000, bootstrap_timeout_ms=5_000)
        except KafkaError as e:
            raise BrokerUnreachable(f"cannot reach the broker at {connection.bootstrap_servers}: {e}") from e
        pending, last_error = list(group_ids), ""
        try:
            for attempt in range(self.attempts):
                if attempt:
                    time.sleep(self.retry_wait)
                try:
                    outcome = _by_group(admin.delete_groups(pending))
                except KafkaError as e:
                    if not e.retriable:
                        raise BrokerUnreachable(f"deleting consumer group(s) {pending} failed: {e}") from e
                    last_error = f"{type(e).__name__}: {e}"  # e.g. a fresh broker has no group coordinator yet
                    continue
                errors = {group: _error_name(outcome.get(group)) for group in pending}
                failed = {group: error for group, error in errors.items()
                          if error not in _DELETED and error not in _TRY_AGAIN and error != _BUSY}
                if failed:
                    raise BrokerUnreachable(f"the broker did not delete consumer group(s): {failed}")
                pending = [group for group, error in errors.items() if error not in _DELETED]
                if not pending:
                    return
                retrying = [error for error in errors.values() if error in _TRY_AGAIN]
                last_error = ", ".join(retrying)
        finally:
            admin.close()
        if last_error:
            raise BrokerUnreachable(f"deleting consumer group(s) {pending} failed: {last_error}")
        raise ReplayRefused(
            f"consumer group(s) {pending} still have active members — another instance of the service is consuming; "
            "stop it and replay again"
        )


_DELETED = ("OK", "NoError", "GroupIdNotFoundError")
_BUSY = "NonEmptyGroupError"
_TRY_AGAIN = ("CoordinatorNotAvailableError", "CoordinatorLoadInProgressError", "NotCoordinatorError")


def _by_group(outcome: Any) -> dict[str, Any]:
    # kafka-python answers with a dict or a list of (group, error) pairs depending on the version.
    return dict(outcome.items() if isinstance(outcome, dict) else outcome)


def _error_name(error: Any) -> str:
    if error is None or isinstance(error, str):
        return error or "OK"
    return error.__name__ if isinstance(error, type) else type(error).__name__


@dataclass(frozen=True)
class ReplayReport:
    """What a replay did (the body of ``POST /admin/replay``)."""

    domain: str
    consumer_groups: list[str]
    topics: list[str]
    emptied_tables: list[str]
    forgotten_events: int
    subscriptions_restarted: bool


class SubscriptionReplay:
    """Drops a domain's event-derived state and consumes its subscribed topics again from the start.

    :meth:`replay` stops the domain's subscriptions, rewinds their consumer groups to the beginning, then in ONE
    transaction empties ``rebuilt_tables`` and forgets the groups' processed events (otherwise idempotency would
    skip every replayed event), and restarts the subscriptions; the state is rebuilt as they catch up. If the
    rewind fails, nothing was emptied and the subscriptions carry on where they were.

    The outbox is left alone: rows already sent are history that subscribers have received, and rows not sent yet
    are still delivered. What the rebuild announces again is the domain's choice.
    """

    def __init__(
        self,
        *,
        domain: str,
        subscriptions: Sequence[Subscription],
        engine: Engine,
        tables: PlatformTables,
        rebuilt_tables: Sequence[Table],
        rewinder: GroupRewinder,
        restart: bool = True,
    ) -> None:
        self.domain = domain
        self.subscriptions = subscriptions
        self.engine = engine
        self.tables = tables
        self.rebuilt_tables = list(rebuilt_tables)
        self.rewinder = rewinder
        self.restart = restart
        self._lock = threading.Lock()

    @classmethod
    def for_service(cls, service: DomainService, rebuilt_tables: Sequence[Table]) -> SubscriptionReplay:
        """The replay of ``service``'s subscriptions (restarted only where the service runs them)."""
        return cls(
            domain=service.domain,
            subscriptions=service.subscriptions,
            engine=service.engine,
            tables=service.tables,
            rebuilt_tables=rebuilt_tables,
            rewinder=KafkaGroupRewinder(service.kafka),
            restart=service.settings.subscriptions_enabled,
        )

    def replay(self) -> ReplayReport:
        """Run a replay; :class:`ReplayRefused` or :class:`BrokerUnreachable` when it could not start."""
        if not self._lock.acquire(blocking=False):
            raise ReplayRefused(f"a replay of {self.domain} is already running")
        try:
            groups = sorted({subscription.group_id for subscription in self.subscriptions})
            topics = sorted({topic for subscription in self.subscriptions for topic in subscription.topics})
            for subscription in self.subscriptions:
                subscription.stop(timeout=STOP_TIMEOUT_SECONDS)
            try:
                self.rewinder.rewind(groups)
                forgotten = self._empty(groups)
            finally:
                self._restart()
            return ReplayReport(
                domain=self.domain,
                consumer_groups=groups,
                topics=topics,
                emptied_tables=[table.name for table in self.rebuilt_tables],
                forgotten_events=forgotten,
                subscriptions_restarted=self.restart,
            )
        finally:
            self._lock.release()

    def _empty(self, groups: list[str]) -> int:
        processed = self.tables.processed_events
        # SQLite: in the store's writer turn with the units of work and the relay (see writer_turns).
        with writer_turn(self.engine), Session(self.engine) as session, session.begin():
            for table in self.rebuilt_tables:
                session.execute(delete(table))
            # A DELETE answers a CursorResult (the ORM session types every result as the base Result).
            forgotten = cast(
                CursorResult[Any], session.execute(delete(processed).where(processed.c.consumer_group.in_(groups)))
            )
            return forgotten.rowcount

    def _restart(self) -> None:
        if self.restart:
            for subscription in self.subscriptions:
                subscription.start()
