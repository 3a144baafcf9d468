from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.data_products import DataProductPort, Deprecation, data_product_router
from mesh_platform.http.problems import install_problem_handlers
from mesh_tools.testing.authority import test_authority

AUTHORIZER = Authorizer(test_authority().verifier())


class FakeSource:
    def __init__(self, records):
        self.records = sorted(records, key=lambda r: r["id"])

    def page(self, filters, after, limit):
        matching = [r for r in self.records if all(r[k] == v for k, v in filters.items())]
        return [r for r in matching if after is None or r["id"] > after][:limit]

    def get(self, key):
        return next((r for r in self.records if r["id"] == key), None)


def client_for(port):
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(data_product_router(port, AUTHORIZER))
    return TestClient(app)


def reader(*scopes):
    return test_authority().bearer("reader", ["read:roster.fighters.v1", *scopes])


def port(**changes):
    values = dict(domain="roster", product="fighters", major=1, key_field="id",
                  source=FakeSource([{"id": "a", "dob": "1990-01-01"}, {"id": "b", "dob": "1991-01-01"}]),
                  pii_fields=frozenset({"dob"}), all_fields=frozenset({"id", "dob"}))
    values.update(changes)
    return DataProductPort(**values)


def test_deprecated_major_announces_its_sunset_and_successor():
    deprecated = port(deprecation=Deprecation(date(2031, 6, 30), "/data-products/fighters/v2", date(2030, 1, 1)))
    response = client_for(deprecated).get("/data-products/fighters/v1", headers=reader())
    assert response.status_code == 200
    assert response.headers["Deprecation"] == "@1893456000"  # RFC 9745: 2030-01-01T00:00:00Z
    assert response.headers["Sunset"] == "Mon, 30 Jun 2031 00:00:00 GMT"
    assert response.headers["Link"] == '</data-products/fighters/v2>; rel="successor-version"'


def test_live_major_carries_no_deprecation_headers():
    response = client_for(port()).get("/data-products/fighters/v1/a", headers=reader())
    assert response.status_code == 200
    assert "Deprecation" not in response.headers and "Sunset" not in response.headers


def test_personal_data_is_unmasked_only_with_the_products_pii_scope():
    client = client_for(port())
    assert client.get("/data-products/fighters/v1/a", headers=reader()).json() == {"id": "a", "dob": None}
    unmasked = client.get("/data-products/fighters/v1/a", headers=reader("pii:roster.fighters")).json()
    assert unmasked == {"id": "a", "dob": "1990-01-01"}
    other_scope = client.get("/data-products/fighters/v1/a", headers=reader("pii:results.bout-results")).json()
    assert other_scope["dob"] is None


def test_token_without_the_read_scope_of_this_major_is_forbidden():
    for scopes in (["pii:roster.fighters"], ["read:roster.fighters.v2"], ["read:schedule.bouts.v1"], ["write:roster"],
                   ["read"], ["*"]):
        response = client_for(port()).get("/data-products/fighters/v1", headers=test_authority().bearer("x", scopes))
        assert response.status_code == 403, scopes
        assert response.headers["content-type"] == "application/problem+json"
        assert "read:roster.fighters.v1" in response.json()["detail"]
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_reading_without_a_token_is_unauthorized_with_a_bearer_challenge():
    response = client_for(port()).get("/data-products/fighters/v1")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_names_the_bearer_scheme_on_every_read():
    document = client_for(port()).get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["meshBearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["meshBearer"]["description"],
    }
    for path in document["paths"].values():
        assert path["get"]["security"] == [{"meshBearer": []}]


def test_each_reader_is_observed_with_the_port_it_read():
    seen = []
    app = FastAPI()
    app.include_router(data_product_router(port(), AUTHORIZER, lambda subject, p: seen.append((subject, p.major))))
    TestClient(app).get("/data-products/fighters/v1", headers=reader())
    assert seen == [("reader", 1)]
