"""The paved road of a domain service: one object wires store, outbox relay, subscriptions and the HTTP edge.

A domain builds one :class:`DomainService` in its ``create_app(settings)``, adds its routers, ports and subscriptions,
and gets a FastAPI app whose lifespan migrates the store, starts the relay and the subscriptions, and stops them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from mesh_platform.auth.client_credentials import ClientCredentials
from mesh_platform.auth.discovery import OidcDiscovery
from mesh_platform.auth.masking import PersonalData
from mesh_platform.auth.scopes import pii_scope, write_scope
from mesh_platform.auth.tokens import DiscoveredKeys, StaticKeys, TokenVerifier
from mesh_platform.contracts import ContractRegistry, DataProductContract, default_contracts_dir, filter_schema
from mesh_platform.events.factory import EventFactory
from mesh_platform.http.analytical import AnalyticalPort, analytical_router
from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.commands import CommandExecutor
from mesh_platform.http.data_products import (
    DataProductPort,
    DataProductSource,
    FilterParser,
    data_product_router,
)
from mesh_platform.http.dead_letters import dead_letters_router
from mesh_platform.http.edge import cursor_codec, install_http_edge
from mesh_platform.http.operations import (
    HttpMetrics,
    ReadinessProbe,
    RequestMetricsMiddleware,
    broker_check,
    operations_router,
    store_check,
)
from mesh_platform.http.pipeline import pipeline_router
from mesh_platform.http.representations import Deprecation
from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs
from mesh_platform.kafka.topic_check import service_topics, verify_topics
from mesh_platform.outbox.relay import OutboxRelay, kafka_producer_factory
from mesh_platform.outbox.writer import OutboxWriter
from mesh_platform.quality.monitor import QualityMonitor
from mesh_platform.quality.routes import quality_router
from mesh_platform.runtime.catalog_link import CatalogLink
from mesh_platform.runtime.contract_routes import contract_router, contract_validator, publish_contract_schemas
from mesh_platform.settings import ServiceSettings
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_store
from mesh_platform.store.platform_tables import PlatformTables
from mesh_platform.store.product_snapshot import SqlTableSnapshots
from mesh_platform.store.product_source import SqlTableSource
from mesh_platform.store.unit_of_work import SqlUnitOfWork
from mesh_platform.subscriptions.dead_letter import DeadLetterPublisher
from mesh_platform.subscriptions.parked import ParkedEvents
from mesh_platform.subscriptions.spec import SubscriptionSpec, declared_subscriptions
from mesh_platform.subscriptions.subscriber import Subscription

log = logging.getLogger(__name__)

UnitOfWork = TypeVar("UnitOfWork", bound=SqlUnitOfWork)


class DomainService:
    """Store, outbox, relay, subscriptions and HTTP edge of one domain."""

    def __init__(
        self, settings: ServiceSettings, *, domain: str, tables: PlatformTables, migrations_dir: Path
    ) -> None:
        self.settings = settings
        self.domain = domain
        self.tables = tables
        self.migrations_dir = migrations_dir
        self.engine = create_store_engine(settings.store_url)
        self.outbox = OutboxWriter(tables.outbox)
        # The domain's own Kafka principal (KAFKA_USERNAME, default: the domain) for every client it builds.
        self.kafka = KafkaClientSettings(bootstrap_servers=settings.kafka_bootstrap_servers).with_default_username(domain)
        self.relay = OutboxRelay(
            self.engine,
            tables.outbox,
            kafka_producer_factory(self.kafka, client_id=f"{domain}-outbox-relay"),
        )
        self.events = EventFactory(domain, settings.catalog_url)
        self.contracts = ContractRegistry.from_directory(settings.contracts_dir or default_contracts_dir())
        self.discovery = OidcDiscovery(settings.issuer)
        keys = StaticKeys(settings.oidc_jwks) if settings.oidc_jwks else DiscoveredKeys(self.discovery)
        self.authorizer = Authorizer(TokenVerifier(keys, issuer=settings.issuer, audience=settings.oidc_audience))
        self.credentials = _client_credentials(settings, self.discovery)
        self.declared_reads: list[tuple[str, str, int, bool, str]] = []
        self.subscriptions: list[Subscription] = []
        self.ports: list[DataProductPort] = []
        self.analytical_ports: list[AnalyticalPort] = []
        self.metrics_registry = CollectorRegistry()
        self.metrics_registry.register(_PipelineCollector(self))
        self.catalog = (
            CatalogLink(domain, self.contracts, settings.catalog_url, settings.base_url, auth=self.credentials)
            if settings.catalog_enabled
            else None
        )
        self._startup_hooks: list[Callable[[], None]] = []
        self._shutdown_hooks: list[Callable[[], None]] = []
        # The contracts' quality rules: on each batch the relay publishes (its gate) and on a schedule.
        self.quality = QualityMonitor.for_service(self)

    def unit_of_work_factory(self, kind: type[UnitOfWork]) -> Callable[[], UnitOfWork]:
        """Builds units of work of ``kind`` on this service's store; each commit with events wakes the relay."""
        return lambda: kind(self.engine, self.outbox, self.events, on_commit=self.relay.wake)

    def command_executor(
        self, uow_factory: Callable[[], SqlUnitOfWork], *, personal_data_of: str | None = None
    ) -> CommandExecutor:
        """Runs this domain's commands: ``write:<domain>`` callers only, idempotency keys in the domain's store.

        ``personal_data_of`` names the product whose personal-data fields are masked in replies (the product the
        commands' replies show records of), unless the caller holds its PII scope.
        """
        personal_data = None
        if personal_data_of is not None:
            contract = self.contracts.get(self.domain, personal_data_of)
            personal_data = PersonalData(pii_scope(self.domain, personal_data_of), frozenset(contract.pii_fields))
        return CommandExecutor(
            uow_factory, self.tables.idempotency_keys,
            writer=self.authorizer.require(write_scope(self.domain)), personal_data=personal_data,
        )

    def reads(self, domain: str, product: str, major: int, *, purpose: str, pii: bool = False) -> None:
        """Declare that this domain reads ``domain/product`` v``major`` over HTTP (e.g. a lookup).

        At start-up the service asks the catalog for access to every product it declares or subscribes to; the
        owner approves, and the service's next token carries the read scope. Nothing is trusted implicitly.
        """
        self.declared_reads.append((domain, product, major, pii, purpose))

    def subscribe(self, spec: SubscriptionSpec[UnitOfWork], unit_of_work: Callable[[], UnitOfWork]) -> Subscription:
        """Subscribe this domain's consumer group (named after the domain) to the events ``spec`` declares.

        Refuses (:class:`SubscriptionRefused`, with every reason) unless ``spec`` matches the producers' contracts and
        ``contracts/<domain>/subscriptions.yaml``, so the service does not start with a typo in a topic or type.
        Events are validated against the contract of the product that publishes their type before a handler sees
        them; those that do not conform, and types neither handled nor ignored, go to the dead-letter topic.
        Handlers get a ``unit_of_work()`` joined to the subscription's transaction (one per batch).
        """
        declarations = declared_subscriptions(self.domain, self.settings.contracts_dir or default_contracts_dir())
        spec.check(self.domain, self.contracts, declarations)
        dispatch = spec.dispatch(unit_of_work)
        subscription = Subscription(
            engine=self.engine,
            tables=self.tables,
            group_id=self.domain,
            topics=spec.topics,
            handlers=dispatch.handlers,
            ignored=dispatch.ignored,
            after_handlers=dispatch.after_handlers,
            bootstrap_servers=self.kafka,
            dead_letters=DeadLetterPublisher(self.kafka),
            validator=contract_validator(self.contracts),
            on_commit=lambda: self._handled(subscription),
            on_dead_letter=lambda reason: self._dead_lettered(subscription, reason),
        )
        self.subscriptions.append(subscription)
        return subscription

    def parked_events(self) -> dict[str, ParkedEvents]:
        """Each subscription's dead-letter topic, by consumer group, read as this service's Kafka principal."""

        def consumer() -> Any:
            from kafka import KafkaConsumer

            return KafkaConsumer(**kafka_client_kwargs(self.kafka), group_id=None, enable_auto_commit=False)

        return {subscription.group_id: ParkedEvents(subscription, consumer) for subscription in self.subscriptions}

    def pipeline_status(self, *, detail: bool = False) -> dict[str, Any]:
        """The event pipeline's progress: outbox backlog, and per subscription its state, lag and error.

        Without ``detail`` (``/ready``, which needs no token) errors are named by kind only; their messages may
        name hosts, SQL or data, so only the domain's administrators see them (``GET /admin/pipeline``).
        """
        try:
            pending: int | None = self.relay.pending()
        except Exception:  # a store that is down has no backlog figure; the store check reports it
            pending = None
        outbox: dict[str, Any] = {"pending": pending, "error": self.relay.error_kind}
        if detail:
            outbox["last_error"] = self.relay.last_error
        return {
            "outbox": outbox,
            "subscriptions": {
                subscription.group_id: {"topics": subscription.topics, **subscription.health.as_dict(detail=detail)}
                for subscription in self.subscriptions
            },
        }

    def _handled(self, subscription: Subscription) -> None:
        self.relay.wake()  # handlers may have written outbox rows
        if self.catalog is not None:
            self.catalog.subscription_ran(subscription, self._products())

    def _dead_lettered(self, subscription: Subscription, reason: str) -> None:
        if self.catalog is not None:
            self.catalog.subscription_failed(subscription, self._products(), reason)

    def _products(self) -> list[DataProductContract]:
        return [self.contracts.get(self.domain, port.product, port.major) for port in self.ports]

    def serve(
        self, product: str, major: int, source: DataProductSource, filters: Mapping[str, FilterParser] | None = None
    ) -> DataProductPort:
        """Publish ``major`` of ``product`` as an HTTP output port, shaped by its contract.

        The key, the fields ``fields=`` may name, the personal data to mask and the deprecation headers all come
        from the contract; ``filters`` maps the filter fields to their parsers, and each filter's documented type,
        format and allowed values are its contract field's.
        """
        contract = self.contracts.get(self.domain, product, major)
        unknown = set(filters or {}) - {spec.name for spec in contract.fields}
        if unknown:
            raise ValueError(f"filters {sorted(unknown)} are not fields of {contract.id} v{major}")
        successor = self.contracts.successor(contract)
        deprecation = None
        if contract.deprecated and contract.sunset and successor is not None:
            deprecation = Deprecation(contract.sunset, successor.http_path, contract.deprecated_on)
        port = DataProductPort(
            domain=self.domain,
            product=product,
            major=major,
            key_field=contract.key_field,
            source=source,
            filters=dict(filters or {}),
            filter_schemas={name: filter_schema(contract, name) for name in filters or {}},
            pii_fields=frozenset(contract.pii_fields),
            all_fields=frozenset(spec.name for spec in contract.fields),
            deprecation=deprecation,
        )
        self.ports.append(port)
        # The same product as a whole-product snapshot (Parquet/NDJSON) for analytical engines.
        if isinstance(source, SqlTableSource):
            self.analytical_ports.append(AnalyticalPort.of(port, SqlTableSnapshots(source), contract))
        return port

    def on_startup(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` after migrations, before traffic (e.g. registering with the catalog)."""
        self._startup_hooks.append(hook)

    def on_shutdown(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the service stops."""
        self._shutdown_hooks.append(hook)

    def start(self) -> None:
        """Migrate the store and start the background work (relay, subscriptions)."""
        upgrade_store(self.engine, self.migrations_dir)
        for hook in self._startup_hooks:
            hook()
        if self.catalog is not None:
            self.catalog.start(self._products(), self.subscriptions, self.declared_reads)
        self._check_topics()
        self.quality.start()
        if self.settings.relay_enabled:
            self.relay.start()
        if self.settings.subscriptions_enabled:
            for subscription in self.subscriptions:
                subscription.start()

    def _check_topics(self) -> None:
        """Refuse to start (:class:`TopicsNotReady`) while the topics the relay and subscriptions use are unusable."""
        subscribed = sorted({t for s in self.subscriptions for t in s.topics}) if self.settings.subscriptions_enabled else []
        specs = service_topics(
            self.domain, self.contracts, produces=self.settings.relay_enabled, subscribed=subscribed, group=self.domain
        )
        verify_topics(self.kafka, specs, timeout=self.kafka.topic_wait_seconds)

    def stop(self) -> None:
        """Stop background work and release the store."""
        for subscription in self.subscriptions:
            subscription.stop()
        self.relay.stop()
        self.quality.stop()
        if self.catalog is not None:
            self.catalog.stop()
        for hook in self._shutdown_hooks:
            hook()
        self.engine.dispose()

    def create_app(
        self,
        *,
        title: str,
        description: str,
        routers: Iterable[APIRouter] = (),
    ) -> FastAPI:
        """The service's FastAPI app: the domain's routers, its data-product ports and the operational routes."""

        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            self.start()
            try:
                yield
            finally:
                self.stop()

        app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
        install_http_edge(app, self.settings)
        app.add_middleware(RequestMetricsMiddleware, metrics=HttpMetrics(self.metrics_registry, self.domain))
        probe = ReadinessProbe(
            {"store": store_check(self.engine), "broker": broker_check(self.kafka)}
        )
        app.include_router(operations_router(probe, self.metrics_registry, self.pipeline_status))
        app.include_router(pipeline_router(self.pipeline_status, self.authorizer, self.domain))
        app.include_router(quality_router(self.quality, self.authorizer, self.domain, self.relay.wake))
        for router in routers:
            app.include_router(router)
        if self.subscriptions:
            app.include_router(dead_letters_router(self.parked_events(), self.authorizer, self.domain))
        cursors = cursor_codec(self.settings)
        for port in self.ports:
            app.include_router(
                data_product_router(port, self.authorizer, self.catalog.reader_seen if self.catalog else None, cursors)
            )
        for analytical in self.analytical_ports:
            app.include_router(
                analytical_router(analytical, self.authorizer, self.catalog.reader_seen if self.catalog else None)
            )
        app.include_router(
            contract_router(
                self.domain,
                self.contracts,
                kafka_bootstrap_servers=self.settings.kafka_bootstrap_servers,
                catalog_url=self.settings.catalog_url,
            )
        )
        publish_contract_schemas(app, self._products())
        app.state.domain_service = self
        return app


def _client_credentials(settings: ServiceSettings, discovery: OidcDiscovery) -> ClientCredentials | None:
    """The service's own token source, or None when it has no client secret (it then calls nobody with a token)."""
    if settings.client_secret is None or not settings.client_secret.get_secret_value():
        log.warning("no MESH_CLIENT_SECRET: %s calls the catalog and other domains without a token",
                    settings.service_name)
        return None
    return ClientCredentials(
        settings.own_client_id, settings.client_secret.get_secret_value(),
        token_url=settings.oidc_token_url, discovery=discovery,
    )


class _PipelineCollector:
    """Exposes outbox backlog and subscription progress as Prometheus metrics."""

    def __init__(self, service: DomainService) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        pending = GaugeMetricFamily("outbox_pending_messages", "Outbox rows not yet acknowledged by Kafka", labels=["domain"])
        try:
            pending.add_metric([self.service.domain], self.service.relay.pending())
        except Exception:  # a store that is down has no backlog figure; /ready reports it
            log.debug("outbox backlog unavailable", exc_info=True)
        yield pending
        published = CounterMetricFamily("outbox_published", "Outbox rows published by this process", labels=["domain"])
        published.add_metric([self.service.domain], self.service.relay.published_total)
        yield published
        processed = CounterMetricFamily("subscription_processed", "Events handled", labels=["group", "topics"])
        dead = CounterMetricFamily("subscription_dead_lettered", "Events dead-lettered", labels=["group", "topics"])
        retries = CounterMetricFamily(
            "subscription_retries", "Failed attempts to consume or handle a batch (each retried)", labels=["group"]
        )
        failing = GaugeMetricFamily(
            "subscription_consecutive_failures", "Failed attempts since the last success (0 when healthy)",
            labels=["group"],
        )
        lag = GaugeMetricFamily(
            "subscription_consumer_lag", "Records not yet committed by the group", labels=["group", "topic", "partition"]
        )
        for subscription in self.service.subscriptions:
            labels = [subscription.group_id, ",".join(subscription.topics)]
            processed.add_metric(labels, subscription.processed_total)
            dead.add_metric(labels, subscription.dead_lettered_total)
            health = subscription.health
            retries.add_metric([subscription.group_id], health.retries_total)
            failing.add_metric([subscription.group_id], health.consecutive_failures)
            for topic_partition, records in health.lag.items():
                topic, _, partition = topic_partition.rpartition("/")
                lag.add_metric([subscription.group_id, topic, partition], records)
        yield from (processed, dead, retries, failing, lag)
