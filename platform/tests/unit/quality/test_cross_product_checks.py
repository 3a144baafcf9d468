"""Cross-product checks read each product from its HTTP port (pages, token) and report OpenLineage quality facets."""

from __future__ import annotations

import httpx
from openlineage.client.serde import Serde

from mesh_platform.contracts import ContractRegistry
from mesh_platform.quality.crosscheck import HttpProducts, cross_checks, run_cross_check

REGISTRY = ContractRegistry.from_directory()


def bout(bout_id, status="completed", red="ann", blue="bea"):
    return {**REGISTRY.get("schedule", "bouts").example_record(), "bout_id": bout_id, "status": status,
            "red_fighter_id": red, "blue_fighter_id": blue}


def result(bout_id, outcome="win", winner="ann", red="ann", blue="bea"):
    return {**REGISTRY.get("results", "bout-results").example_record(), "bout_id": bout_id, "outcome": outcome,
            "winner_fighter_id": winner, "red_fighter_id": red, "blue_fighter_id": blue}


def record(fighter_id, wins=0, losses=0, draws=0, no_contests=0):
    return {**REGISTRY.get("stats", "fighter-records").example_record(), "fighter_id": fighter_id, "wins": wins,
            "losses": losses, "draws": draws, "no_contests": no_contests}


class Ports:
    """Published product ports answering GET with pages of two records (next_cursor), requiring a bearer token."""

    def __init__(self, products: dict[str, list[dict]]):
        self.products = products
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != "Bearer t0ken":
            return httpx.Response(401, json={"detail": "token required"})
        records = self.products[request.url.path]
        start = int(request.url.params.get("cursor") or 0)
        page = records[start:start + 2]
        more = start + 2 < len(records)
        return httpx.Response(200, json={"items": page, "next_cursor": str(start + 2) if more else None})


def products(ports: Ports) -> HttpProducts:
    client = httpx.Client(transport=httpx.MockTransport(ports))
    return HttpProducts(REGISTRY, client, lambda: {"Authorization": "Bearer t0ken"})


def check(product: str, rule_id: str):
    return next(c for c in cross_checks(REGISTRY) if c.owner.product == product and c.rule.rule_id == rule_id)


def test_the_contracts_declare_the_two_cross_product_checks():
    assert sorted((c.owner.id, c.rule.rule_id, c.rule.inputs) for c in cross_checks(REGISTRY)) == [
        ("results.bout-results", "completed_bouts_have_one_result", ("schedule.bouts.v1",)),
        ("stats.fighter-records", "records_match_results", ("results.bout-results.v1",)),
    ]


def test_a_completed_bout_without_a_result_is_found_over_http():
    ports = Ports({
        "/data-products/bouts/v1": [bout("b1"), bout("b2"), bout("b3", status="scheduled"), bout("b4")],
        "/data-products/bout-results/v1": [result("b1"), result("b4")],
    })
    outcome = run_cross_check(check("bout-results", "completed_bouts_have_one_result"), REGISTRY, products(ports))
    assert (outcome.result.status, outcome.result.measured) == ("failed", 1.0)
    assert outcome.row_counts == {"results.bout-results.v1": 2, "schedule.bouts.v1": 4}
    assert any(r.url.params.get("cursor") == "2" for r in ports.requests)  # followed the pages

    event = Serde.to_dict(outcome.event)
    assert (event["eventType"], event["job"]["namespace"]) == ("COMPLETE", "octagon.quality")
    owner = next(i for i in event["inputs"] if i["name"] == "bout-results.v1")
    [assertion] = owner["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert (assertion["success"], assertion["actual"], assertion["params"]["status"]) == (False, "1 rows", "failed")
    bouts = next(i for i in event["inputs"] if i["namespace"] == "octagon.schedule")
    assert bouts["inputFacets"]["dataQualityMetrics"]["rowCount"] == 4


def test_records_that_add_up_to_the_results_pass_and_one_that_does_not_fails():
    results = [result("b1", winner="ann"), result("b2", outcome="draw", winner=None),
               result("b3", winner="bea", red="bea", blue="cat")]
    good = [record("ann", wins=1, draws=1), record("bea", losses=1, wins=1, draws=1), record("cat", losses=1)]
    ports = Ports({"/data-products/fighter-records/v1": good, "/data-products/bout-results/v1": results})
    records_check = check("fighter-records", "records_match_results")
    assert run_cross_check(records_check, REGISTRY, products(ports)).result.status == "passed"

    ports.products["/data-products/fighter-records/v1"] = [*good[:2], record("cat", losses=0)]
    outcome = run_cross_check(records_check, REGISTRY, products(ports))
    assert (outcome.result.status, outcome.result.measured) == ("failed", 1.0)


def test_a_port_that_refuses_the_token_is_an_error_not_a_pass():
    ports = Ports({"/data-products/bouts/v1": [], "/data-products/bout-results/v1": []})
    reader = HttpProducts(REGISTRY, httpx.Client(transport=httpx.MockTransport(ports)), lambda: {})
    try:
        run_cross_check(check("bout-results", "completed_bouts_have_one_result"), REGISTRY, reader)
    except httpx.HTTPStatusError as e:
        assert e.response.status_code == 401
    else:
        raise AssertionError("an unreadable port must not count as a passed check")
