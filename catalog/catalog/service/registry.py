"""Use cases of the registry: register a contract, record a consumer, read products, search."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openlineage.client.serde import Serde

from catalog.domain.governance import Decision, decide_registration
from catalog.domain.lineage_graph import dataset_node_id, job_node_id
from catalog.domain.model import (
    Consumer,
    ConsumerKind,
    DataProduct,
    ProductVersion,
    RegistrationOutcome,
    RegistrationRecord,
    Verdict,
)
from catalog.domain.search_document import FACETS, SearchResults, search_document
from catalog.domain.search_query import parse_query
from catalog.service.ports import CatalogUnitOfWork, LineageRecorder
from mesh_platform.contracts.product import DataProductContract
from mesh_platform.errors import NotFound, RuleViolated
from mesh_platform.lineage.facets import product_dataset_event
from mesh_platform.lineage.naming import PRODUCER, http_reader_job, product_dataset, subscription_job

log = logging.getLogger(__name__)
JOB_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent"
CONSUMER_KINDS: tuple[ConsumerKind, ...] = ("subscription", "http")


@dataclass(frozen=True)
class RegistrationResult:
    outcome: RegistrationOutcome
    verdict: Verdict
    product: DataProduct | None


class RegistryService:
    """Registrations judged by governance, consumers, and the read side of the registry.

    Writes are serialised in this process (the catalog runs as one process), so two registrations of one product
    never race between reading the registered version and saving the next.
    """

    def __init__(
        self,
        unit_of_work: Callable[[], CatalogUnitOfWork],
        lineage: LineageRecorder,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.unit_of_work = unit_of_work
        self.lineage = lineage
        self.clock = clock
        self._writes = threading.Lock()
        self.listeners: list[Callable[[DataProduct, ProductVersion | None, ProductVersion], None]] = []
        """Called after each committed registration with the product, the major as it was before and as it is."""

    # registration ----------------------------------------------------------------------------------------------

    def register(self, document: dict[str, Any], service_url: str | None) -> RegistrationResult:
        """Register one major version from its contract; the result says what happened and why."""
        now = self.clock()
        with self._writes, self.unit_of_work() as uow:

            def previous_version(domain: str, product: str, major: int) -> ProductVersion | None:
                existing = uow.registry.get(domain, product)
                return existing.versions.get(major) if existing else None

            decision = decide_registration(document, previous_version)
            contract = decision.contract
            product = uow.registry.get(*decision.product_key) if decision.product_key else None
            before = after = None
            if decision.outcome in (RegistrationOutcome.CREATED, RegistrationOutcome.UPDATED):
                assert contract is not None
                before = product.versions.get(contract.major) if product else None
                product = self._apply(product, contract, decision, document, service_url, now)
                uow.registry.save(product)
                uow.search.index(search_document(product))
                after = product.versions[contract.major]
            uow.registry.log(
                RegistrationRecord(
                    domain=decision.product_key[0] if decision.product_key else _claimed(document, "domain"),
                    product=decision.product_key[1] if decision.product_key else _claimed(document, "id"),
                    version=_claimed(document, "version"),
                    outcome=decision.outcome, verdict=decision.verdict, service_url=service_url, at=now,
                )
            )
            uow.commit()
        if contract is not None and decision.outcome is not RegistrationOutcome.REFUSED:
            self._announce(contract)
        if product is not None and after is not None:
            for listener in self.listeners:
                try:
                    listener(product, before, after)
                except Exception:  # a listener is told; the registration stands either way
                    log.exception("a registration listener failed for %s v%s", after.product, after.major)
        return RegistrationResult(decision.outcome, decision.verdict, product)

    def _apply(
        self, product: DataProduct | None, contract: DataProductContract, decision: Decision,
        document: dict[str, Any], service_url: str | None, now: datetime,
    ) -> DataProduct:
        if product is None:
            product = DataProduct(contract.domain, contract.product, "", {}, None, [], created_at=now, updated_at=now)
        if contract.major >= max(product.versions, default=0):
            # Product-level facts follow the newest major.
            description = contract.odcs.description
            product.name = contract.odcs.name or contract.product
            product.description = {
                part: (getattr(description, part, None) or "").strip() for part in ("purpose", "usage", "limitations")
            }
            product.owner = contract.owner
            product.tags = list(contract.odcs.tags or [])
        previous = product.versions.get(contract.major)
        assert decision.status is not None
        product.versions[contract.major] = ProductVersion(
            domain=contract.domain, product=contract.product, major=contract.major, version=contract.version,
            status=decision.status, sunset_date=contract.sunset, contract=document,
            service_url=service_url or (previous.service_url if previous else None),
            registered_at=previous.registered_at if previous else now, updated_at=now, verdict=decision.verdict,
        )
        product.updated_at = now
        return product

    def _announce(self, contract: DataProductContract) -> None:
        try:
            self.lineage.ingest(Serde.to_dict(product_dataset_event(contract, event_time=self.clock())))
        except Exception:  # lineage is an observation; the registration stands
            log.exception("could not record the dataset of %s v%s in lineage", contract.id, contract.major)

    # consumers -------------------------------------------------------------------------------------------------

    def report_consumer(
        self, kind: str, consumer: str, domain: str, product: str, major: int
    ) -> tuple[Consumer, bool]:
        """Remember a consumer of ``domain/product`` v``major``; idempotent. True when it was new."""
        if kind not in CONSUMER_KINDS:
            raise RuleViolated(f"kind must be one of {', '.join(CONSUMER_KINDS)}, found {kind!r}", field="kind")
        with self._writes, self.unit_of_work() as uow:
            known, created = uow.registry.record_consumer(kind, consumer, domain, product, major, self.clock())
            uow.commit()
        self._link_consumer(known)
        return known, created

    def link_consumers(self) -> int:
        """Make every known consumer an edge in lineage (at start-up): a consumer whose edge could not be recorded
        when it was reported (lineage refused or failed then) is linked now. How many edges were added."""
        added = 0
        for consumer in self.consumers():
            added += self._link_consumer(consumer)
        return added

    def _link_consumer(self, consumer: Consumer) -> bool:
        dataset = product_dataset(consumer.domain, consumer.product, consumer.major)
        job = subscription_job(consumer.consumer) if consumer.kind == "subscription" else http_reader_job(consumer.consumer)
        if self.lineage.has_edge(dataset_node_id(*dataset), job_node_id(*job)):
            return False
        event = {
            "eventTime": self.clock().isoformat(), "producer": PRODUCER, "schemaURL": JOB_EVENT_SCHEMA,
            "job": {"namespace": job.namespace, "name": job.name},
            "inputs": [{"namespace": dataset.namespace, "name": dataset.name}], "outputs": [],
        }
        try:
            self.lineage.ingest(event)
        except Exception:
            log.exception("could not record consumer %s of %s in lineage", consumer.consumer, dataset)
            return False
        return True

    def consumers(self, *, domain: str | None = None, product: str | None = None) -> list[Consumer]:
        with self.unit_of_work() as uow:
            return uow.registry.consumers(domain=domain, product=product)

    # reading ---------------------------------------------------------------------------------------------------

    def product(self, domain: str, product: str) -> DataProduct:
        with self.unit_of_work() as uow:
            found = uow.registry.get(domain, product)
        if found is None:
            raise NotFound(f"no data product {domain}/{product} is registered", field="product")
        return found

    def version(self, domain: str, product: str, major: int) -> ProductVersion:
        found = self.product(domain, product).versions.get(major)
        if found is None:
            raise NotFound(f"{domain}/{product} has no major version {major}", field="major")
        return found

    def products(
        self, filters: dict[str, str | None] | None = None, *, limit: int | None = None, offset: int = 0
    ) -> tuple[list[DataProduct], int]:
        """Products ordered by domain and name with facet filters (domain, tag, classification, status); the total."""
        chosen = {facet: value for facet, value in (filters or {}).items() if facet in FACETS and value}
        with self.unit_of_work() as uow:
            if not chosen.keys() - {"domain"}:
                domain = chosen.get("domain")
                return uow.registry.list(domain=domain, limit=limit, offset=offset), uow.registry.count(domain=domain)
            found = uow.search.search(None, chosen, limit=limit if limit is not None else 1_000_000, offset=offset)
            keys = [tuple(hit.product_key.split("/", 1)) for hit in found.hits]
            return uow.registry.get_many(keys), found.total  # type: ignore[arg-type]

    def domains(self) -> dict[str, dict[str, int]]:
        with self.unit_of_work() as uow:
            return uow.registry.domains()

    def domain(self, domain: str) -> tuple[dict[str, int], list[DataProduct]]:
        summary = self.domains().get(domain)
        if summary is None:
            raise NotFound(f"no data product of domain {domain!r} is registered", field="domain")
        products, _ = self.products({"domain": domain})
        return summary, products

    def registrations(self, *, outcome: RegistrationOutcome | None = None, limit: int = 50) -> list[RegistrationRecord]:
        with self.unit_of_work() as uow:
            return uow.registry.registrations(outcome=outcome, limit=limit)

    def search(self, query: str, filters: Mapping[str, str | None], *, limit: int, offset: int) -> SearchResults:
        """Full-text search with facet filters; :class:`SearchSyntaxError` for a query that cannot run."""
        tree = parse_query(query or "")
        chosen = {facet: value for facet, value in filters.items() if facet in FACETS and value}
        with self.unit_of_work() as uow:
            return uow.search.search(tree, chosen, limit=limit, offset=offset)


def _claimed(document: dict[str, Any], key: str) -> str:
    """What a document that could not be read says about itself, for the log."""
    value = document.get(key) if isinstance(document, dict) else None
    if key == "id" and isinstance(value, str):
        value = value.partition(".")[2] or value
    return str(value)[:100] if value is not None else "?"
