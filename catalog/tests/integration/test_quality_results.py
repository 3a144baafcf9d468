"""The product page shows, per quality rule, the latest status, measured value and run time that the owning service
(and the platform's cross-domain checks) reported as OpenLineage quality runs."""

import re
from datetime import UTC, datetime, timedelta

from openlineage.client.serde import Serde

from mesh_platform.lineage.naming import JobName, product_dataset
from mesh_platform.quality.lineage_report import quality_job, quality_run_event
from mesh_platform.quality.results import QualityRun, RuleResult


def result(rule_key, status, measured, at, *, metric="invalidValues", column="stance"):
    return RuleResult(
        rule_key=rule_key, rule_id=rule_key.split(":")[-1], object_name="fighters", property_name=column,
        status=status, measured=measured, unit="rows", expectation="= 0 rows",
        message=f"{metric}(fighters.{column}) = 0 rows: measured {measured:g}", ran_at=at, duration_ms=1.0,
        metric=metric, action="block", bad_rows=int(measured), total_rows=10,
    )


def report(client, job, results, at, scope="schedule"):
    run = QualityRun("roster.fighters", 1, scope, at, tuple(results), 10)
    event = quality_run_event(job, [(product_dataset("roster", "fighters", 1), results)], run, row_count=10)
    response = client.post("/api/v1/lineage", json=Serde.to_dict(event))
    assert response.status_code in (200, 201), response.text


def rows(html):
    table = html.split('class="grid compact quality-results"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]]


def test_the_product_page_shows_each_rules_latest_result(catalog_on_store, register, contract):
    assert register(catalog_on_store, contract("roster", "fighters")).status_code in (200, 201)
    earlier = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    later = earlier + timedelta(minutes=5)
    job = quality_job("roster", "fighters", 1)
    report(catalog_on_store, job, [result("fighters.stance:stance_allowed", "failed", 1, earlier)], earlier)
    report(catalog_on_store, job, [result("fighters.stance:stance_allowed", "passed", 0, later),
                                   result("fighters.nickname:nick", "warned", 3, later, metric="nullValues",
                                          column="nickname")], later)
    # A cross-domain check reports on the same dataset under its own job.
    report(catalog_on_store, JobName("octagon.quality", "crosscheck.records-match-results"),
           [result("records_match_results", "failed", 2, later, metric="sql", column=None)], later)

    page = catalog_on_store.get("/products/roster/fighters")
    assert page.status_code == 200
    shown = rows(page.text)
    assert len(shown) == 3
    # Worst first; the stance rule shows its latest (passed) run, not the earlier failure.
    assert shown[0].startswith("records_match_results schedule · octagon.quality/crosscheck.records-match-results failed 2 rows")
    assert shown[1].startswith("fighters.nickname:nick schedule · octagon.roster/quality.fighters.v1 warned 3 rows")
    assert shown[2].startswith("fighters.stance:stance_allowed schedule · octagon.roster/quality.fighters.v1 passed 0 rows")
    assert "2026-12-01 10:05:00" in shown[2]


def test_a_product_without_quality_runs_says_so(catalog_on_store, register, contract):
    register(catalog_on_store, contract("roster", "fighters"))
    assert rows(catalog_on_store.get("/products/roster/fighters").text) == ["No quality run reported yet"]


def test_the_freshness_slo_shows_its_measured_status(catalog_on_store, register, contract):
    register(catalog_on_store, contract("roster", "fighters"))
    at = datetime.now(UTC) - timedelta(minutes=1)
    breached = RuleResult(
        rule_key="slo:freshness", rule_id="freshness", object_name="fighters", property_name=None, status="failed",
        measured=300.0, unit="seconds", expectation="<= 60 seconds", ran_at=at, duration_ms=0.0, metric="freshness",
        message="oldest waiting event 300s (target 60s); 0 of 0 events published since the last check were late",
    )
    report(catalog_on_store, quality_job("roster", "fighters", 1), [breached], at)
    html = catalog_on_store.get("/products/roster/fighters").text
    slo_table = html.split('class="grid compact slos"', 1)[1].split("</table>", 1)[0]
    freshness_row = next(row for row in slo_table.split("<tr") if 'data-sli="freshness"' in row)
    assert 'class="badge bad">breached</span>' in freshness_row
    banner = html.split('id="incident-banner"', 1)[1].split("</div>", 1)[0]
    assert "slo:freshness" in banner and "oldest waiting event 300s" in banner
