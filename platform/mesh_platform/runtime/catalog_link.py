"""What a domain service tells the catalog: its products, its consumers, and OpenLineage about both.

Everything goes through background senders (:class:`CatalogRegistrar`, :class:`LineageEmitter`), so a catalog that
is down or slow never delays a request or an event; registrations are retried until the catalog answers.
"""

from __future__ import annotations

import threading
import time

from mesh_platform.auth.client_credentials import ClientCredentials
from mesh_platform.catalog_client import CatalogClient, CatalogRegistrar
from mesh_platform.contracts import ContractRegistry, DataProductContract
from mesh_platform.contracts.errors import UnknownDataProduct
from mesh_platform.http.data_products import DataProductPort
from mesh_platform.lineage import LineageEmitter, http_reader_job, product_dataset, subscription_job
from mesh_platform.lineage.naming import DatasetName
from mesh_platform.subscriptions.subscriber import Subscription


class CatalogLink:
    """Registers a domain's products and reports who consumes what, with lineage, to the catalog."""

    def __init__(
        self,
        domain: str,
        contracts: ContractRegistry,
        catalog_url: str,
        service_url: str,
        *,
        run_interval: float = 5.0,
        auth: ClientCredentials | None = None,
    ) -> None:
        self.domain = domain
        self.contracts = contracts
        self.service_url = service_url
        self.registrar = CatalogRegistrar(CatalogClient(catalog_url, auth=auth))
        self.lineage = LineageEmitter(catalog_url, credentials=auth)
        self.run_interval = run_interval
        self._readers: set[tuple[str, str, int]] = set()
        self._last_run: dict[str, float] = {}
        self._lock = threading.Lock()

    def start(
        self,
        products: list[DataProductContract],
        subscriptions: list[Subscription],
        reads: list[tuple[str, str, int, bool, str]] = (),  # type: ignore[assignment]
    ) -> None:
        """Register ``products`` and ``subscriptions``' consumption, and ask for access to every product read (by
        subscription or by a declared HTTP lookup); returns at once (sending is in the background)."""
        self.registrar.start()
        for contract in products:
            self.registrar.register(contract.document, self.service_url)
            self.lineage.emit_dataset(contract)
        for subscription in subscriptions:
            for contract in self._consumed(subscription):
                self.registrar.report_consumer(
                    "subscription", subscription.group_id, contract.domain, contract.product, contract.major
                )
            self.subscription_ran(subscription, products)
        # After the registrations: another domain may be waiting for ours before it can register its own.
        requested: set[tuple[str, str, int, bool]] = set()
        for subscription in subscriptions:
            for contract in self._consumed(subscription):
                key = (contract.domain, contract.product, contract.major, False)
                if contract.domain != self.domain and key not in requested:
                    requested.add(key)
                    self.registrar.request_access(
                        *key[:3], pii=False, purpose=f"{self.domain} subscribes to {contract.topic} ({subscription.group_id})"
                    )
        for domain, product, major, pii, purpose in reads:
            if domain != self.domain and (domain, product, major, pii) not in requested:
                requested.add((domain, product, major, pii))
                self.registrar.request_access(domain, product, major, pii=pii, purpose=purpose)

    def stop(self) -> None:
        """Send what is pending for a moment, then stop the background senders."""
        self.registrar.stop()
        self.lineage.close(timeout=2.0)

    def reader_seen(self, subject: str, port: DataProductPort) -> None:
        """An HTTP reader (token subject) read ``port``: a consumer of that product version (told once)."""
        key = (subject, port.product, port.major)
        with self._lock:
            if key in self._readers:
                return
            self._readers.add(key)
        self.registrar.report_consumer("http", subject, self.domain, port.product, port.major)
        dataset = product_dataset(self.domain, port.product, port.major)
        job = http_reader_job(subject)
        self.lineage.run_completed(job, [dataset], [], run_id=self.lineage.run_started(job, [dataset], []))

    def subscription_ran(self, subscription: Subscription, products: list[DataProductContract]) -> None:
        """A subscription committed handled events: a run from its topics' products to this domain's products.

        At most one run per ``run_interval`` per subscription, so a busy topic does not flood the catalog.
        """
        now = time.monotonic()
        with self._lock:
            if now - self._last_run.get(subscription.group_id, -self.run_interval) < self.run_interval:
                return
            self._last_run[subscription.group_id] = now
        inputs = [_dataset(contract) for contract in self._consumed(subscription)]
        outputs = [_dataset(contract) for contract in products]
        job = subscription_job(subscription.group_id)
        self.lineage.run_completed(job, inputs, outputs, run_id=self.lineage.run_started(job, inputs, outputs))

    def subscription_failed(
        self, subscription: Subscription, products: list[DataProductContract], reason: str
    ) -> None:
        """A subscription dead-lettered an event: a FAILed run with the reason (never throttled, failures matter)."""
        inputs = [_dataset(contract) for contract in self._consumed(subscription)]
        outputs = [_dataset(contract) for contract in products]
        job = subscription_job(subscription.group_id)
        run_id = self.lineage.run_started(job, inputs, outputs)
        self.lineage.run_failed(job, inputs, outputs, run_id=run_id, error=f"dead-lettered: {reason}")

    def _consumed(self, subscription: Subscription) -> list[DataProductContract]:
        consumed = []
        for topic in subscription.topics:
            try:
                consumed.append(self.contracts.for_topic(topic))
            except UnknownDataProduct:
                continue  # a topic without a contract is nobody's data product
        return consumed


def _dataset(contract: DataProductContract) -> DatasetName:
    return product_dataset(contract.domain, contract.product, contract.major)
