"""The cross-product check job as a long-running service: every check on its rule's schedule, with a client of its own.

``python -m mesh_platform.quality.crosscheck`` runs the checks once (or every N seconds). This is the job ``mesh up``
supervises, and what a deployment runs beside the catalog::

    python -m mesh_platform.quality.crosscheck_job

At start it asks each product's owner, through the catalog's access requests, for read access to every product its
checks read (as its own client, ``MESH_CLIENT_ID``, default ``quality-checks``; no personal data): a check cannot
read a product it has no grant for, exactly like any other consumer. Then each check runs on its rule's
``schedule`` (a cron expression), or every ``MESH_CROSSCHECK_INTERVAL_SECONDS`` (default 300) for a rule without
one; a check that could not read its products (no grant yet, a domain restarting) is tried again after
``MESH_CROSSCHECK_RETRY_SECONDS`` (default 30). Each outcome goes to the catalog as an OpenLineage run with the
standard quality facets (see :mod:`mesh_platform.quality.crosscheck`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict

from mesh_platform.contracts import ContractRegistry, DataProductContract
from mesh_platform.quality.crosscheck import CrossCheck, CrossCheckOutcome, HttpProducts, cross_checks, run_cross_check
from mesh_platform.quality.monitor import next_run

log = logging.getLogger(__name__)

CLIENT_ID = "quality-checks"
PURPOSE = "cross-product quality checks (contract rules that span products)"


class CrossCheckSettings(BaseSettings):
    """``MESH_CROSSCHECK_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="MESH_CROSSCHECK_")

    interval_seconds: float = 300.0
    """How often a check whose rule has no ``schedule`` runs."""
    retry_seconds: float = 30.0
    """How soon a check that could not read its products is tried again."""


def products_read(checks: Iterable[CrossCheck], contracts: ContractRegistry) -> list[DataProductContract]:
    """Every product the checks read (each owning product and every input), once each."""
    read: dict[tuple[str, str, int], DataProductContract] = {}
    for check in checks:
        read.setdefault(check.owner.identity, check.owner)
        for name in check.rule.inputs:
            domain, _, rest = name.partition(".")
            product, _, major = rest.rpartition(".v")
            contract = contracts.get(domain, product, int(major))
            read.setdefault(contract.identity, contract)
    return list(read.values())


def request_access(catalog: httpx.Client, products: Iterable[DataProductContract]) -> list[DataProductContract]:
    """Ask for read access to each of ``products`` (the catalog answers an existing request with it); returns those
    whose request the catalog could not take yet (e.g. the product is not registered yet)."""
    missing = []
    for contract in products:
        response = catalog.post("/api/v1/access-requests", json={
            "domain": contract.domain, "product": contract.product, "major": contract.major, "pii": False,
            "purpose": PURPOSE,
        })
        if response.status_code not in (200, 201):
            log.warning("access request for %s v%s not taken (%s): %s", contract.id, contract.major,
                        response.status_code, response.text[:300])
            missing.append(contract)
    return missing


class CrossCheckScheduler:
    """Decides which checks are due: each on its rule's cron ``schedule``, else every ``interval`` seconds; a check
    that could not run is due again after ``retry`` seconds."""

    def __init__(self, checks: list[CrossCheck], interval: float = 300.0, retry: float = 30.0) -> None:
        self.checks = checks
        self.interval = interval
        self.retry = retry
        self._next: dict[str, datetime] = {}

    def due(self, now: datetime) -> list[CrossCheck]:
        """The checks to run at ``now`` (all of them the first time)."""
        return [check for check in self.checks if self._next.get(check.job.name, now) <= now]

    def ran(self, check: CrossCheck, now: datetime, *, succeeded: bool) -> None:
        """Record a run of ``check`` at ``now``: the next is on its schedule, or a retry soon if it failed."""
        self._next[check.job.name] = (
            next_run(check.rule, now, self.interval) if succeeded else now + timedelta(seconds=self.retry)
        )

    def next_due(self) -> datetime | None:
        """When the next check is due (None before any ran)."""
        return min(self._next.values(), default=None)


def run_due(scheduler: CrossCheckScheduler, contracts: ContractRegistry, products: HttpProducts,
            emit: Callable[[object], None], now: datetime) -> list[CrossCheckOutcome]:
    """Run the checks due at ``now`` and report each outcome; a check that cannot read its products is retried."""
    outcomes = []
    for check in scheduler.due(now):
        try:
            outcome = run_cross_check(check, contracts, products)
        except (httpx.HTTPError, ValueError) as e:
            log.warning("cross-product check %s could not read its products (retrying in %ss): %s",
                        check.job.name, scheduler.retry, e)
            scheduler.ran(check, now, succeeded=False)
            continue
        emit(outcome.event)
        log.info("cross-product check %s: %s %s", check.job.name, outcome.result.status, outcome.result.message)
        scheduler.ran(check, now, succeeded=True)
        outcomes.append(outcome)
    return outcomes


def main(stop: threading.Event | None = None) -> int:
    """``python -m mesh_platform.quality.crosscheck_job``: run until SIGTERM/SIGINT (or ``stop``)."""
    import signal

    from mesh_platform.auth.client_credentials import ClientCredentials
    from mesh_platform.auth.discovery import OidcDiscovery
    from mesh_platform.lineage import LineageEmitter

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    settings = CrossCheckSettings()
    catalog_url = os.environ.get("MESH_CATALOG_URL", "http://127.0.0.1:8000")
    secret = os.environ.get("MESH_CLIENT_SECRET")
    if not secret:
        log.error("MESH_CLIENT_SECRET is not set: the job reads products as its own client and cannot run without it")
        return 2
    credentials = ClientCredentials(os.environ.get("MESH_CLIENT_ID", CLIENT_ID), secret,
                                    discovery=OidcDiscovery(os.environ.get("MESH_OIDC_ISSUER", catalog_url)))
    contracts = ContractRegistry.from_directory()
    checks = cross_checks(contracts)
    base_urls = {d: os.environ[f"{d.upper()}_URL"] for d in contracts.domains if f"{d.upper()}_URL" in os.environ}
    emitter = LineageEmitter(catalog_url, credentials=credentials)
    scheduler = CrossCheckScheduler(checks, settings.interval_seconds, settings.retry_seconds)
    log.info("%d cross-product checks: %s", len(checks), ", ".join(check.job.name for check in checks))
    with httpx.Client(timeout=30.0, auth=credentials) as client, \
            httpx.Client(base_url=catalog_url, timeout=10.0, auth=credentials) as catalog:
        products = HttpProducts(contracts, client, dict, base_urls)
        wanted = products_read(checks, contracts)
        while not stop.is_set():
            if wanted:
                try:
                    wanted = request_access(catalog, wanted)
                except httpx.HTTPError as e:
                    log.warning("could not ask the catalog for access yet: %s", e)
            run_due(scheduler, contracts, products, emitter.emit, datetime.now(UTC))
            next_due = scheduler.next_due()
            wait = (next_due - datetime.now(UTC)).total_seconds() if next_due else settings.retry_seconds
            stop.wait(max(1.0, min(wait, settings.retry_seconds)))
    emitter.close(timeout=10.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
