"""The platform's background registrar: retries while the catalog is down, never blocks, never raises."""

from __future__ import annotations

import threading

from mesh_platform.catalog_client import CatalogRegistrar, CatalogUnavailable, RegistrationRefused, RegistrationReply
from mesh_platform.catalog_client.client import NotYet


class FlakyCatalog:
    """Answers like a catalog that is down for the first ``down_for`` calls."""

    def __init__(self, down_for: int = 0, refuse: bool = False) -> None:
        self.down_for = down_for
        self.refuse = refuse
        self.calls: list[tuple] = []
        self.block = threading.Event()
        self.block.set()

    def register_contract(self, contract_document, service_url):
        self.block.wait()
        self.calls.append(("register", contract_document["id"], service_url))
        if len(self.calls) <= self.down_for:
            raise CatalogUnavailable("connection refused")
        if self.refuse:
            raise RegistrationRefused({"compliant": False, "policies": [
                {"policy": "owner-present", "passed": False, "reasons": ["team: name the owning team"]}]})
        return RegistrationReply("created", {"compliant": True, "policies": []}, None)

    def report_consumer(self, kind, consumer, domain, product, major):
        self.calls.append(("consumer", kind, consumer, domain, product, major))
        if len(self.calls) <= self.down_for:
            raise CatalogUnavailable("connection refused")
        return {}


def test_registration_is_retried_until_the_catalog_answers():
    catalog = FlakyCatalog(down_for=3)
    registrar = CatalogRegistrar(catalog, initial_delay=0.01, max_delay=0.05)
    registrar.start()
    try:
        registrar.register({"id": "roster.fighters", "version": "1.0.0"}, "http://127.0.0.1:8001")
        assert registrar.wait_idle(5)
    finally:
        registrar.stop()

    assert len(catalog.calls) == 4
    assert registrar.registered["roster.fighters 1.0.0"].outcome == "created"


def test_registering_returns_at_once_while_the_catalog_hangs():
    catalog = FlakyCatalog()
    catalog.block.clear()  # the catalog does not answer at all for now
    registrar = CatalogRegistrar(catalog, initial_delay=0.01)
    registrar.start()
    try:
        registrar.register({"id": "roster.fighters", "version": "1.0.0"}, "http://127.0.0.1:8001")
        assert registrar.pending == 1
        catalog.block.set()
        assert registrar.wait_idle(5)
    finally:
        registrar.stop()
    assert registrar.pending == 0


def test_a_refusal_is_kept_with_its_reasons_and_not_retried():
    catalog = FlakyCatalog(refuse=True)
    registrar = CatalogRegistrar(catalog, initial_delay=0.01)
    registrar.start()
    try:
        registrar.register({"id": "roster.fighters", "version": "1.0.0"}, "http://127.0.0.1:8001")
        assert registrar.wait_idle(5)
    finally:
        registrar.stop()

    assert len(catalog.calls) == 1
    assert registrar.refused["roster.fighters 1.0.0"].reasons == ["owner-present: team: name the owning team"]


def test_each_consumer_is_reported_once_per_process():
    catalog = FlakyCatalog()
    registrar = CatalogRegistrar(catalog, initial_delay=0.01)
    registrar.start()
    try:
        for _ in range(100):  # e.g. the reader observer called on every request
            registrar.report_consumer("http", "schedule", "roster", "fighters", 1)
        registrar.report_consumer("subscription", "schedule", "roster", "fighters", 1)
        assert registrar.wait_idle(5)
    finally:
        registrar.stop()

    assert catalog.calls == [
        ("consumer", "http", "schedule", "roster", "fighters", 1),
        ("consumer", "subscription", "schedule", "roster", "fighters", 1),
    ]


def test_stopping_while_the_catalog_is_down_gives_up_quietly():
    catalog = FlakyCatalog(down_for=10_000)
    registrar = CatalogRegistrar(catalog, initial_delay=0.01, max_delay=0.02)
    registrar.start()
    registrar.register({"id": "roster.fighters", "version": "1.0.0"}, "http://127.0.0.1:8001")
    assert not registrar.wait_idle(0.2)

    registrar.stop(timeout=2)

    assert registrar.pending == 1 and registrar.registered == {}


class CatalogAwaitingAnotherDomain(FlakyCatalog):
    """Access to schedule's bouts can be asked only once schedule registered them (after ``registered_after`` asks)."""

    def __init__(self, registered_after: int) -> None:
        super().__init__()
        self.registered_after = registered_after
        self.asked = 0

    def request_access(self, domain, product, major, *, pii, purpose):
        self.asked += 1
        self.calls.append(("access", domain, product, major, pii))
        if self.asked <= self.registered_after:
            raise NotYet(f"{domain}/{product} v{major} is not registered with the catalog yet")
        return {"status": "pending"}


def test_an_access_request_waiting_for_another_domain_holds_up_nothing_else():
    catalog = CatalogAwaitingAnotherDomain(registered_after=3)
    registrar = CatalogRegistrar(catalog, initial_delay=0.01, max_delay=0.05)
    registrar.start()
    try:
        registrar.request_access("schedule", "bouts", 1, pii=False, purpose="find bouts")
        registrar.register({"id": "results.bout-results", "version": "1.0.0"}, "http://127.0.0.1:8003")
        assert registrar.wait_idle(5)
    finally:
        registrar.stop()
    assert registrar.registered["results.bout-results 1.0.0"].outcome == "created"
    assert catalog.calls[1][0] == "register"  # registered in the first round, while the request waited
    assert catalog.asked == 4
