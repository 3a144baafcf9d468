"""Cross-product checks: contract ``sql`` rules that read other domains' products, run by a platform job.

A rule that lists other products in its ``inputs`` custom property (``<domain>.<product>.v<major>``) spans domains,
so no domain service can run it: a service never reads another domain's store. This job reads every product the
rule needs **from its published HTTP port** (with its own token, like any consumer), copies the records into the
quality sandbox — the owning product as ``{object}``, each input as a table named after it — runs the rule, and
reports the outcome as an OpenLineage run of job ``octagon.quality`` / ``crosscheck.<rule>``: its inputs are every
product read, the owning product carrying the standard ``dataQualityAssertions`` and every product a
``dataQualityMetrics`` (its row count). The catalog shows it on the owning product's page.

Run it once or every N seconds::

    python -m mesh_platform.quality.crosscheck [--every 300]

It reads ``MESH_CATALOG_URL`` (where results go), each domain's URL from the contracts (``ROSTER_URL``... override
them like any consumer does) and its client credentials (``MESH_CLIENT_ID``, ``MESH_CLIENT_SECRET``).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from openlineage.client.event_v2 import InputDataset, Job, Run, RunEvent, RunState
from openlineage.client.generated.data_quality_assertions_dataset import DataQualityAssertionsDatasetFacet
from openlineage.client.generated.data_quality_metrics_input_dataset import DataQualityMetricsInputDatasetFacet

from mesh_platform.contracts import ContractRegistry, DataProductContract
from mesh_platform.lineage.naming import PRODUCER, DatasetName, JobName, product_dataset
from mesh_platform.quality.engine import ObjectData, QualityEngine, object_columns
from mesh_platform.quality.lineage_report import assertion
from mesh_platform.quality.results import RuleResult
from mesh_platform.quality.rules import QualityRule, rules_of

log = logging.getLogger(__name__)

NAMESPACE = "octagon.quality"
PAGE = 1000


@dataclass(frozen=True)
class CrossCheck:
    """One cross-product rule and the contract that owns it."""

    owner: DataProductContract
    rule: QualityRule

    @property
    def job(self) -> JobName:
        """The OpenLineage job whose runs are this check's runs."""
        return JobName(NAMESPACE, f"crosscheck.{self.owner.product}.v{self.owner.major}.{self.rule.rule_id}")


@dataclass(frozen=True)
class CrossCheckOutcome:
    """A check's result and the lineage event that reports it."""

    check: CrossCheck
    result: RuleResult
    event: RunEvent
    row_counts: dict[str, int]


def cross_checks(contracts: ContractRegistry) -> list[CrossCheck]:
    """Every cross-product rule of every contract."""
    return [
        CrossCheck(contract, rule)
        for contract in contracts
        for rule in rules_of(contract).rules
        if rule.cross_product
    ]


class HttpProducts:
    """Reads whole products from their published HTTP ports, page by page, as any consumer does."""

    def __init__(
        self,
        contracts: ContractRegistry,
        client: httpx.Client,
        headers: Callable[[], dict[str, str]] = dict,
        base_urls: dict[str, str] | None = None,
    ) -> None:
        self.contracts = contracts
        self.client = client
        self.headers = headers
        self.base_urls = base_urls or {}

    def records(self, contract: DataProductContract) -> list[dict[str, Any]]:
        """Every record of ``contract``'s product version, from its HTTP port."""
        url = self.url_of(contract)
        records: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if cursor:
                params["cursor"] = cursor
            response = self.client.get(url, params=params, headers=self.headers())
            response.raise_for_status()
            page = response.json()
            records.extend(page.get("items") or [])
            cursor = page.get("next_cursor")
            if not cursor:
                return records

    def url_of(self, contract: DataProductContract) -> str:
        """The port's URL: the contract's, on the domain's base URL when one is configured (``<DOMAIN>_URL``)."""
        base = self.base_urls.get(contract.domain)
        return base.rstrip("/") + contract.http_path if base else contract.http_url


def run_cross_check(check: CrossCheck, contracts: ContractRegistry, products: HttpProducts,
                    engine: QualityEngine | None = None) -> CrossCheckOutcome:
    """Read the products ``check`` needs over HTTP, run it in the sandbox, and build its lineage report."""
    engine = engine or QualityEngine()
    inputs = [_input_contract(contracts, name) for name in check.rule.inputs]
    owner_records = products.records(check.owner)
    objects = {check.owner.record_name: ObjectData(object_columns(check.owner)[check.owner.record_name],
                                                   owner_records)}
    counts = {dataset_key(check.owner): len(owner_records)}
    for name, contract in zip(check.rule.inputs, inputs, strict=True):
        records = products.records(contract)
        objects[name] = ObjectData(object_columns(contract)[contract.record_name], records)
        counts[name] = len(records)
    [result] = engine.run(objects, [check.rule])
    event = _event(check, result, [check.owner, *inputs], counts)
    return CrossCheckOutcome(check, result, event, counts)


def dataset_key(contract: DataProductContract) -> str:
    """``<domain>.<product>.v<major>``: how inputs name a product (and its table in the query)."""
    return f"{contract.domain}.{contract.product}.v{contract.major}"


def _input_contract(contracts: ContractRegistry, name: str) -> DataProductContract:
    domain, _, rest = name.partition(".")
    product, _, major = rest.rpartition(".v")
    return contracts.get(domain, product, int(major))


def _event(check: CrossCheck, result: RuleResult, read: Iterable[DataProductContract], counts: dict[str, int]) -> RunEvent:
    inputs = []
    for contract in read:
        dataset: DatasetName = product_dataset(contract.domain, contract.product, contract.major)
        facets: dict[str, Any] = {
            "dataQualityMetrics": DataQualityMetricsInputDatasetFacet(
                rowCount=counts[dataset_key(contract)], columnMetrics={}, producer=PRODUCER
            )
        }
        if contract is check.owner:
            facets["dataQualityAssertions"] = DataQualityAssertionsDatasetFacet(
                assertions=[assertion(result, "crosscheck")], producer=PRODUCER
            )
        inputs.append(InputDataset(namespace=dataset.namespace, name=dataset.name, inputFacets=facets))
    return RunEvent(
        eventType=RunState.COMPLETE if result.status != "error" else RunState.FAIL,
        eventTime=result.ran_at.isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace=check.job.namespace, name=check.job.name),
        inputs=inputs,
        outputs=[],
        producer=PRODUCER,
    )


def run_all(contracts: ContractRegistry, products: HttpProducts, emit: Callable[[RunEvent], None]) -> list[CrossCheckOutcome]:
    """Run every cross-product check once; a check whose products cannot be read is logged and skipped."""
    outcomes = []
    for check in cross_checks(contracts):
        try:
            outcome = run_cross_check(check, contracts, products)
        except (httpx.HTTPError, ValueError) as e:
            log.warning("cross-product check %s could not read its products: %s", check.job.name, e)
            continue
        emit(outcome.event)
        log.info("cross-product check %s: %s", check.job.name, outcome.result.message)
        outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """``python -m mesh_platform.quality.crosscheck [--every SECONDS]``."""
    from mesh_platform.auth.client_credentials import ClientCredentials
    from mesh_platform.auth.discovery import OidcDiscovery
    from mesh_platform.lineage import LineageEmitter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0.0, help="repeat every SECONDS (default: run once)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    catalog_url = os.environ.get("MESH_CATALOG_URL", "http://127.0.0.1:8000")
    secret = os.environ.get("MESH_CLIENT_SECRET")
    credentials = (
        ClientCredentials(os.environ.get("MESH_CLIENT_ID", "quality-checks"), secret,
                          discovery=OidcDiscovery(os.environ.get("MESH_OIDC_ISSUER", catalog_url)))
        if secret else None
    )
    contracts = ContractRegistry.from_directory()
    base_urls = {d: os.environ[f"{d.upper()}_URL"] for d in contracts.domains if f"{d.upper()}_URL" in os.environ}
    emitter = LineageEmitter(catalog_url, credentials=credentials)
    with httpx.Client(timeout=30.0) as client:
        headers = (lambda: {"Authorization": f"Bearer {credentials.token()}"}) if credentials else dict
        products = HttpProducts(contracts, client, headers, base_urls)
        while True:
            outcomes = run_all(contracts, products, emitter.emit)
            failed = [o for o in outcomes if o.result.status != "passed"]
            log.info("%d cross-product checks ran at %s, %d not passed", len(outcomes), datetime.now(UTC), len(failed))
            if args.every <= 0:
                emitter.close(timeout=10.0)
                return 1 if failed else 0
            time.sleep(args.every)


if __name__ == "__main__":
    raise SystemExit(main())
