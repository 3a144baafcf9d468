"""A data product's filters are documented with their contract field's type and allowed values, and enforced."""

from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from mesh_platform.contracts import DataProductContract, filter_schema
from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.data_products import DataProductPort, data_product_router
from mesh_platform.http.problems import install_problem_handlers
from mesh_tools.testing.authority import test_authority

PATH = "/data-products/fighters/v1"
RECORDS = [
    {"id": "f-1", "weight_class": "lightweight", "date_of_birth": "1990-01-04"},
    {"id": "f-2", "weight_class": "flyweight", "date_of_birth": "1991-06-30"},
]
CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "roster" / "fighters.odcs.yaml"


class FakeSource:
    def __init__(self) -> None:
        self.asked: list[dict] = []

    def page(self, filters, after, limit):
        self.asked.append(filters)
        return [r for r in RECORDS if all(r[k] == str(v) for k, v in filters.items())][:limit]

    def get(self, key):
        return next((r for r in RECORDS if r["id"] == key), None)


def contract() -> DataProductContract:
    return DataProductContract.from_text(CONTRACT.read_text(encoding="utf-8"), CONTRACT)


def app(source: FakeSource) -> FastAPI:
    port = DataProductPort(
        domain="roster", product="fighters", major=1, key_field="id", source=source,
        filters={"weight_class": str, "date_of_birth": date.fromisoformat},
        filter_schemas={name: filter_schema(contract(), name) for name in ("weight_class", "date_of_birth")},
    )
    application = FastAPI()
    install_problem_handlers(application)
    application.include_router(data_product_router(port, Authorizer(test_authority().verifier())))
    return application


def client(source: FakeSource) -> TestClient:
    test_client = TestClient(app(source))
    test_client.headers.update(test_authority().bearer("reader", ["read:roster.fighters.v1"]))
    return test_client


def test_a_filter_schema_is_its_contract_fields_type_and_allowed_values_never_null():
    weight_class = contract().field("weight_class")
    schema = filter_schema(contract(), "weight_class")
    assert schema["type"] == "string" and schema["enum"] == list(weight_class.allowed_values)
    assert schema["description"] == weight_class.description
    date_of_birth = filter_schema(contract(), "date_of_birth")
    assert contract().field("date_of_birth").nullable
    assert date_of_birth["type"] == "string" and date_of_birth["format"] == "date"  # a filter value is never null


def test_each_filter_is_a_documented_query_parameter_of_the_list_and_the_document_stays_valid():
    document = TestClient(app(FakeSource())).get("/openapi.json").json()
    validate(document)
    parameters = {p["name"]: p for p in document["paths"][PATH]["get"]["parameters"] if p["in"] == "query"}
    assert {"limit", "cursor", "fields", "weight_class", "date_of_birth"} == set(parameters)
    assert parameters["weight_class"]["schema"]["enum"] == list(contract().field("weight_class").allowed_values)
    assert parameters["weight_class"]["schema"]["type"] == "string"
    assert contract().field("weight_class").description in parameters["weight_class"]["description"]
    assert parameters["date_of_birth"]["schema"] == {"type": "string", "format": "date"}
    assert not parameters["date_of_birth"]["required"]
    item_parameters = document["paths"][PATH + "/{key}"]["get"]["parameters"]
    assert "weight_class" not in {p["name"] for p in item_parameters}  # filters belong to the list only


def test_a_valid_filter_reaches_the_source_parsed():
    source = FakeSource()
    response = client(source).get(PATH, params={"weight_class": "flyweight", "date_of_birth": "1991-06-30"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["items"]] == ["f-2"]
    assert source.asked == [{"weight_class": "flyweight", "date_of_birth": date(1991, 6, 30)}]


def test_a_value_outside_the_allowed_ones_is_a_400_problem_naming_the_filter_and_the_allowed_values():
    source = FakeSource()
    response = client(source).get(PATH, params={"weight_class": "catchweight"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "weight_class" in problem["detail"] and "flyweight, bantamweight" in problem["detail"]
    assert problem["errors"][0]["field"] == "weight_class"
    assert source.asked == []


def test_a_malformed_date_and_an_unknown_filter_are_400_problems_naming_the_parameter():
    c = client(FakeSource())
    bad_date = c.get(PATH, params={"date_of_birth": "2021-13-01"})
    assert bad_date.status_code == 400 and bad_date.json()["errors"][0]["field"] == "date_of_birth"
    unknown = c.get(PATH, params={"reach_cm": "180"})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "reach_cm"
    assert "date_of_birth, weight_class" in unknown.json()["detail"]
