"""The registry's use cases over hand-written fakes of the store, the search index and lineage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.domain.model import Consumer, DataProduct, RegistrationOutcome, RegistrationRecord
from catalog.domain.search_document import SearchDocument, SearchResults
from catalog.service.registry import RegistryService
from mesh_platform.errors import NotFound, RuleViolated

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class FakeRegistry:
    def __init__(self) -> None:
        self.products: dict[tuple[str, str], DataProduct] = {}
        self.log_records: list[RegistrationRecord] = []
        self.known_consumers: dict[tuple, Consumer] = {}

    def get(self, domain, product):
        return self.products.get((domain, product))

    def get_many(self, keys):
        return [self.products[key] for key in keys if key in self.products]

    def list(self, *, domain=None, limit=None, offset=0):
        found = [p for key, p in sorted(self.products.items()) if domain in (None, p.domain)]
        return found[offset: None if limit is None else offset + limit]

    def count(self, *, domain=None):
        return len(self.list(domain=domain))

    def domains(self):
        return {p.domain: {"products": 1} for p in self.products.values()}

    def save(self, product):
        self.products[(product.domain, product.product)] = product

    def log(self, record):
        self.log_records.append(record)

    def registrations(self, *, outcome=None, limit=50):
        return [r for r in reversed(self.log_records) if outcome in (None, r.outcome)][:limit]

    def record_consumer(self, kind, consumer, domain, product, major, at):
        key = (kind, consumer, domain, product, major)
        known = self.known_consumers.get(key)
        first = known.first_seen if known else at
        self.known_consumers[key] = Consumer(kind, consumer, domain, product, major, first, at)
        return self.known_consumers[key], known is None

    def consumers(self, *, domain=None, product=None):
        return [c for c in self.known_consumers.values() if domain in (None, c.domain) and product in (None, c.product)]


class FakeSearch:
    def __init__(self) -> None:
        self.documents: dict[str, SearchDocument] = {}

    def index(self, document):
        self.documents[document.product_key] = document

    def search(self, tree, filters, *, limit, offset):
        return SearchResults(0, [], {})


class FakeUnitOfWork:
    def __init__(self, registry: FakeRegistry, search: FakeSearch) -> None:
        self.registry, self.search = registry, search
        self.committed = False

    def __enter__(self):
        self.committed = False
        return self

    def __exit__(self, *exc):
        return None

    def commit(self):
        self.committed = True


class FakeLineage:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict] = []
        self.fail = fail

    def ingest(self, payload):
        if self.fail:
            raise RuntimeError("lineage store is down")
        self.events.append(payload)

    def has_edge(self, origin, destination):
        return any(
            f"dataset:{i['namespace']}:{i['name']}" == origin and f"job:{e['job']['namespace']}:{e['job']['name']}" == destination
            for e in self.events if "job" in e for i in e.get("inputs", [])
        )


@pytest.fixture
def fakes():
    registry, search, lineage = FakeRegistry(), FakeSearch(), FakeLineage()
    service = RegistryService(lambda: FakeUnitOfWork(registry, search), lineage, clock=lambda: NOW)
    return service, registry, search, lineage


def test_registration_saves_the_product_indexes_it_and_announces_its_dataset(fakes, contract):
    service, registry, search, lineage = fakes

    document = contract("roster", "fighters")
    result = service.register(document, "http://127.0.0.1:8001")

    assert result.outcome is RegistrationOutcome.CREATED
    product = registry.products[("roster", "fighters")]
    assert product.owner == "roster-team" and product.versions[1].version == document["version"]
    assert product.versions[1].service_url == "http://127.0.0.1:8001"
    assert "date_of_birth" in search.documents["roster/fighters"].field_names
    assert "pii" in search.documents["roster/fighters"].facets["tag"]
    assert "restricted" in search.documents["roster/fighters"].facets["classification"]
    [announced] = lineage.events
    assert announced["dataset"] == {**announced["dataset"], "namespace": "octagon.roster", "name": "fighters.v1"}
    assert set(announced["dataset"]["facets"]) >= {"schema", "ownership", "documentation", "dataSource"}


def test_refused_registration_is_logged_but_changes_nothing(fakes, contract):
    service, registry, search, lineage = fakes
    document = contract("roster", "fighters")
    del document["slaProperties"]

    result = service.register(document, "http://127.0.0.1:8001")

    assert result.outcome is RegistrationOutcome.REFUSED and result.product is None
    assert registry.products == {} and search.documents == {} and lineage.events == []
    assert [r.outcome for r in registry.log_records] == [RegistrationOutcome.REFUSED]
    assert registry.log_records[0].product == "fighters"


def test_a_new_major_lives_beside_the_old_one(fakes, contract, next_major):
    service, registry, _, _ = fakes
    service.register(contract("roster", "fighters"), "http://127.0.0.1:8001")
    v2 = next_major(contract("roster", "fighters"), 2)

    result = service.register(v2, "http://127.0.0.1:8001")

    assert result.outcome is RegistrationOutcome.CREATED, result.verdict.reasons
    assert sorted(registry.products[("roster", "fighters")].versions) == [1, 2]


def test_lineage_failure_does_not_undo_a_registration(contract):
    registry, search = FakeRegistry(), FakeSearch()
    service = RegistryService(lambda: FakeUnitOfWork(registry, search), FakeLineage(fail=True), clock=lambda: NOW)

    result = service.register(contract("roster", "fighters"), "http://127.0.0.1:8001")

    assert result.outcome is RegistrationOutcome.CREATED
    assert ("roster", "fighters") in registry.products


def test_consumer_report_is_idempotent_and_linked_into_lineage_once(fakes):
    service, registry, _, lineage = fakes

    first, created = service.report_consumer("subscription", "stats", "results", "bout-results", 1)
    again, created_again = service.report_consumer("subscription", "stats", "results", "bout-results", 1)

    assert created and not created_again
    assert first.first_seen == again.first_seen
    assert len(registry.consumers()) == 1
    [event] = lineage.events
    assert event["job"] == {"namespace": "octagon.consumers", "name": "kafka.stats"}
    assert event["inputs"] == [{"namespace": "octagon.results", "name": "bout-results.v1"}]


def test_http_reader_becomes_an_http_job_in_lineage(fakes):
    service, _, _, lineage = fakes

    service.report_consumer("http", "schedule", "roster", "fighters", 1)

    assert lineage.events[0]["job"]["name"] == "http.schedule"


def test_unknown_consumer_kind_is_refused(fakes):
    service, *_ = fakes

    with pytest.raises(RuleViolated, match="kind"):
        service.report_consumer("carrier-pigeon", "x", "roster", "fighters", 1)


def test_reading_an_unknown_product_or_major_says_not_found(fakes, contract):
    service, *_ = fakes
    service.register(contract("roster", "fighters"), None)

    with pytest.raises(NotFound):
        service.product("roster", "referees")
    with pytest.raises(NotFound, match="major version 3"):
        service.version("roster", "fighters", 3)


def test_consumers_whose_lineage_edge_failed_are_linked_at_start_up(fakes):
    service, registry, search, _ = fakes
    down = FakeLineage(fail=True)
    RegistryService(lambda: FakeUnitOfWork(registry, search), down, clock=lambda: NOW).report_consumer(
        "http", "demo-reader", "roster", "fighters", 1)
    assert down.events == []  # counted as a consumer, but no edge yet

    assert service.link_consumers() == 1
    assert service.link_consumers() == 0  # linked once
    assert service.lineage.has_edge("dataset:octagon.roster:fighters.v1", "job:octagon.consumers:http.demo-reader")
