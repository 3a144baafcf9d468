"""What a data-product port promises over HTTP: signed cursors, Link paging, conditional reads, problem types."""

from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.data_products import DataProductPort, Deprecation, data_product_router
from mesh_platform.http.pagination import CursorCodec
from mesh_platform.http.problems import install_problem_handlers
from mesh_tools.testing.authority import test_authority

PATH = "/data-products/fighters/v1"
RECORDS = [{"id": f"f-{n:02}", "weight_class": "lightweight" if n % 2 else "flyweight"} for n in range(7)]


class FakeSource:
    def page(self, filters, after, limit):
        matching = [r for r in RECORDS if all(r[k] == v for k, v in filters.items())]
        return [r for r in matching if after is None or r["id"] > after][:limit]

    def get(self, key):
        return next((r for r in RECORDS if r["id"] == key), None)


def client(codec: CursorCodec | None = None, **changes) -> TestClient:
    port = DataProductPort(domain="roster", product="fighters", major=1, key_field="id", source=FakeSource(),
                           filters={"weight_class": str}, all_fields=frozenset({"id", "weight_class"}), **changes)
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(data_product_router(port, Authorizer(test_authority().verifier()), None, codec))
    test_client = TestClient(app)
    test_client.headers.update(test_authority().bearer("reader", ["read:roster.fighters.v1"]))
    return test_client


def test_pages_link_to_the_next_page_until_the_last():
    c = client()
    seen, url, pages = [], f"{PATH}?limit=3&weight_class=lightweight", 0
    while url:
        page = c.get(url)
        assert page.status_code == 200
        seen += [r["id"] for r in page.json()["items"]]
        next_link = page.links.get("next")
        assert (next_link is None) == (page.json()["next_cursor"] is None)
        url = next_link["url"] if next_link else None
        pages += 1
    assert seen == ["f-01", "f-03", "f-05"] and pages == 1
    first = c.get(f"{PATH}?limit=2&weight_class=flyweight")
    assert first.links["next"]["url"].startswith(f"{PATH}?limit=2&weight_class=flyweight&cursor=")
    second = c.get(first.links["next"]["url"])
    assert [r["id"] for r in second.json()["items"]] == ["f-04", "f-06"]


def test_tampered_cursor_is_a_400_problem_naming_cursor():
    c = client()
    cursor = c.get(f"{PATH}?limit=2").json()["next_cursor"]
    tampered = ("A" if cursor[0] != "A" else "B") + cursor[1:]
    response = c.get(PATH, params={"cursor": tampered})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:problem-type:octagon-mesh:invalid-cursor"
    assert problem["errors"][0]["field"] == "cursor"


def test_cursor_issued_by_another_service_is_refused():
    cursor = client(CursorCodec(b"another-service-secret-0123456789")).get(f"{PATH}?limit=2").json()["next_cursor"]
    response = client(CursorCodec(b"this-service-secret-0123456789abcd")).get(PATH, params={"cursor": cursor})
    assert response.status_code == 400


def test_overlong_cursor_is_refused_as_a_cursor_problem():
    response = client().get(PATH, params={"cursor": "x" * 5000})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_if_none_match_with_a_weak_tag_a_star_or_a_list_answers_304():
    c = client()
    etag = c.get(f"{PATH}/f-01").headers["ETag"]
    for header in (etag, f"W/{etag}", "*", f'"stale", {etag}'):
        response = c.get(f"{PATH}/f-01", headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.headers["ETag"] == etag
    assert c.get(f"{PATH}/f-01", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_deprecated_major_keeps_its_successor_link_beside_the_next_link():
    c = client(deprecation=Deprecation(date(2031, 6, 30), "/data-products/fighters/v2", date(2030, 1, 1)))
    response = c.get(f"{PATH}?limit=2")
    assert response.links["successor-version"]["url"] == "/data-products/fighters/v2"
    assert "cursor=" in response.links["next"]["url"]
    assert response.headers["Deprecation"] == "@1893456000"


def test_unknown_filter_and_field_are_bad_request_problems_naming_them():
    c = client()
    unknown_filter = c.get(PATH, params={"colour": "red"}).json()
    assert unknown_filter["type"] == "urn:problem-type:octagon-mesh:bad-request"
    assert unknown_filter["errors"][0]["field"] == "colour"
    assert c.get(PATH, params={"fields": "id,shoe_size"}).json()["errors"][0]["field"] == "fields"
