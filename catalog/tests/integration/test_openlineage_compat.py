"""Marquez compatibility over real HTTP: the openlineage-python client posts events exactly as Marquez users do,
the lineage is queried with Marquez's parameters; the platform's emitter and catalog client talk to a real catalog."""

from __future__ import annotations

import time
from uuid import uuid4

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    StaticDataset,
)
from openlineage.client.facet_v2 import documentation_dataset, schema_dataset, sql_job
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

from mesh_platform.catalog_client import CatalogClient, CatalogRegistrar, RegistrationRefused
from mesh_platform.contracts.product import DataProductContract
from mesh_platform.lineage import LineageEmitter, derivation_job, product_dataset
from mesh_tools.testing.ports import free_port

pytestmark = pytest.mark.integration

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.0.0/integration/example"


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


@pytest.fixture
def catalog_server(issuing_catalog):
    """A catalog issuing its own tokens: clients authenticate at its token endpoint as services do."""
    return issuing_catalog()


def test_openlineage_python_client_events_are_queried_with_marquez_parameters(catalog_server, credentials_for):
    # As in Marquez's docs: an HTTP transport pointed at the server, then emit (with an API key: a bearer token
    # of a client allowed to write lineage outside the mesh's namespaces).
    token = credentials_for(catalog_server.url, "operator").token()
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(
        url=catalog_server.url, auth=ApiKeyTokenProvider({"apiKey": token}))))
    job = Job(namespace="food_delivery", name="etl_orders", facets={"sql": sql_job.SQLJobFacet(query="SELECT * FROM orders")})
    inputs = [InputDataset(namespace="food_delivery", name="public.orders", facets={
        "schema": schema_dataset.SchemaDatasetFacet(fields=[
            schema_dataset.SchemaDatasetFacetFields(name="id", type="INTEGER"),
            schema_dataset.SchemaDatasetFacetFields(name="placed_on", type="TIMESTAMP"),
        ])})]
    outputs = [OutputDataset(namespace="food_delivery", name="public.orders_7_days")]
    run = Run(runId=str(uuid4()))
    client.emit(RunEvent(eventType=RunState.START, eventTime=now(), run=run, job=job, producer=PRODUCER,
                         inputs=inputs, outputs=outputs))
    client.emit(RunEvent(eventType=RunState.COMPLETE, eventTime=now(), run=run, job=job, producer=PRODUCER,
                         inputs=inputs, outputs=outputs))
    client.emit(DatasetEvent(eventTime=now(), producer=PRODUCER, dataset=StaticDataset(
        namespace="food_delivery", name="public.orders_7_days",
        facets={"documentation": documentation_dataset.DocumentationDatasetFacet(description="Orders of the last week")})))
    client.emit(JobEvent(eventTime=now(), producer=PRODUCER, job=Job(namespace="food_delivery", name="report"),
                         inputs=[InputDataset(namespace="food_delivery", name="public.orders_7_days")]))

    response = httpx.get(f"{catalog_server.url}/api/v1/lineage",
                         params={"nodeId": "dataset:food_delivery:public.orders_7_days", "depth": 20})

    assert response.status_code == 200
    graph = {node["id"]: node for node in response.json()["graph"]}
    assert set(graph) == {"dataset:food_delivery:public.orders", "job:food_delivery:etl_orders",
                          "dataset:food_delivery:public.orders_7_days", "job:food_delivery:report"}
    for node in graph.values():
        assert list(node) == ["id", "type", "data", "inEdges", "outEdges"]
        for edge in node["inEdges"] + node["outEdges"]:
            assert set(edge) == {"origin", "destination"}
    orders = graph["dataset:food_delivery:public.orders"]["data"]
    assert orders["id"] == {"namespace": "food_delivery", "name": "public.orders"}
    assert [(f["name"], f["type"]) for f in orders["fields"]] == [("id", "INTEGER"), ("placed_on", "TIMESTAMP")]
    assert graph["dataset:food_delivery:public.orders_7_days"]["data"]["description"] == "Orders of the last week"
    assert graph["job:food_delivery:etl_orders"]["data"]["latestRun"]["state"] == "COMPLETED"
    assert graph["job:food_delivery:report"]["inEdges"] == [
        {"origin": "dataset:food_delivery:public.orders_7_days", "destination": "job:food_delivery:report"}]


def test_platform_emitter_reports_derivations_to_the_catalog(catalog_server, credentials_for):
    emitter = LineageEmitter(catalog_server.url, credentials=credentials_for(catalog_server.url, "stats"))
    results, records = product_dataset("results", "bout-results", 1), product_dataset("stats", "fighter-records", 1)
    try:
        with emitter.run(derivation_job("stats", "fighter-records"), [results], [records]):
            pass
        assert emitter.flush(10)
    finally:
        emitter.close()

    answer = httpx.get(f"{catalog_server.url}/api/v1/lineage", params={"nodeId": "job:octagon.stats:derive.fighter-records"}).json()

    assert emitter.sent == 2 and emitter.failed == 0
    assert {n["id"] for n in answer["graph"]} == {"job:octagon.stats:derive.fighter-records",
                                                  "dataset:octagon.results:bout-results.v1",
                                                  "dataset:octagon.stats:fighter-records.v1"}


def test_emitter_with_the_catalog_down_never_fails_the_caller_and_keeps_the_event_until_closed():
    emitter = LineageEmitter(f"http://127.0.0.1:{free_port()}")
    emitter.retry_wait = lambda state: 0.05
    try:
        emitter.run_started(derivation_job("stats", "rankings"))  # returns at once, raises nothing
        assert not emitter.flush(4)  # the event waits for the catalog instead of being dropped
        assert emitter.retries >= 1 and emitter.sent == 0 and emitter.failed == 0
    finally:
        emitter.close(timeout=0.5)
    assert emitter.failed == 1  # given up only because the service stops


def test_catalog_client_registers_and_reports_consumers(catalog_server, contract, credentials_for):
    client = CatalogClient(catalog_server.url, auth=credentials_for(catalog_server.url, "operator"))
    try:
        reply = client.register_contract(contract("roster", "fighters"), "http://127.0.0.1:8001")
        again = client.register_contract(contract("roster", "fighters"), "http://127.0.0.1:8001")
        client.report_consumer("subscription", "schedule", "roster", "fighters", 1)
        broken = contract("roster", "fighters")
        del broken["slaProperties"]
        broken["version"] = "1.0.1"
        try:
            client.register_contract(broken, "http://127.0.0.1:8001")
            refused = None
        except RegistrationRefused as e:
            refused = e
    finally:
        client.close()

    assert (reply.outcome, again.outcome) == ("created", "unchanged")
    assert refused is not None and any(r.startswith("slos-declared:") for r in refused.reasons)
    product = httpx.get(f"{catalog_server.url}/api/v1/data-products/roster/fighters").json()
    assert [c["consumer"] for c in product["versions"][0]["consumers"]] == ["schedule"]


def test_registrar_started_before_the_catalog_registers_once_it_is_up(issuing_catalog, contract, credentials_for):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    registrar = CatalogRegistrar(CatalogClient(url, timeout=2, auth=credentials_for(url, "schedule")),
                                 initial_delay=0.05, max_delay=0.5)
    registrar.start()
    try:
        bouts = contract("schedule", "bouts")
        registrar.register(bouts, "http://127.0.0.1:8002")
        registrar.report_consumer("subscription", "schedule", "roster", "fighters", 1)
        assert not registrar.wait_idle(0.5)  # nobody listens yet; the service goes on meanwhile

        server = issuing_catalog(port=port)

        assert registrar.wait_idle(20)
    finally:
        registrar.stop()
    assert registrar.registered[f"schedule.bouts {bouts['version']}"].outcome == "created"
    assert httpx.get(f"{server.url}/api/v1/consumers").json()[0]["consumer"] == "schedule"


def test_dataset_event_of_a_contract_matches_what_the_catalog_registered(catalog_server, contract, credentials_for):
    emitter = LineageEmitter(catalog_server.url, credentials=credentials_for(catalog_server.url, "schedule"))
    try:
        emitter.emit_dataset(DataProductContract.from_document(contract("schedule", "event-cards"), "event-cards"))
        assert emitter.flush(10)
    finally:
        emitter.close()

    [node] = httpx.get(f"{catalog_server.url}/api/v1/lineage",
                       params={"nodeId": "dataset:octagon.schedule:event-cards.v1"}).json()["graph"]

    assert node["data"]["sourceName"] == "octagon.schedule"
    assert "venue" in [field["name"] for field in node["data"]["fields"]]


def test_lineage_of_another_domain_or_without_a_token_is_refused(catalog_server, credentials_for):
    event = {"eventType": "COMPLETE", "eventTime": now(), "producer": PRODUCER,
             "run": {"runId": str(uuid4())}, "job": {"namespace": "octagon.stats", "name": "derive.forged"},
             "inputs": [], "outputs": [{"namespace": "octagon.stats", "name": "rankings.v1"}]}
    url = f"{catalog_server.url}/api/v1/lineage"
    assert httpx.post(url, json=event).status_code == 401
    forged = httpx.post(url, json=event, auth=credentials_for(catalog_server.url, "roster"))
    assert forged.status_code == 403 and "write:stats" in forged.json()["detail"]
    assert httpx.post(url, json=event, auth=credentials_for(catalog_server.url, "stats")).status_code == 201
