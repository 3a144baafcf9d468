"""What the catalog reads from a reported quality run, and how webhook requests are signed and addressed."""

from __future__ import annotations

from datetime import UTC, datetime

from openlineage.client.serde import Serde

from catalog.domain.notifications import (
    dataset_product,
    downstream_products,
    new_secret,
    notification_channels,
    sign,
    verify,
)
from catalog.domain.quality_feed import read_quality_run
from mesh_platform.lineage.naming import product_dataset
from mesh_platform.quality.lineage_report import quality_job, quality_run_event
from mesh_platform.quality.results import QualityRun, RuleResult

AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def rule(key: str, status: str, *, unit: str = "rows", measured: float = 1, bad: int | None = None,
         total: int | None = None) -> RuleResult:
    return RuleResult(rule_key=key, rule_id=key, object_name="fighters", property_name=None, status=status,
                      measured=measured, unit=unit, expectation="", message=f"{key} {status}", ran_at=AT,
                      duration_ms=0.0, bad_rows=bad, total_rows=total)


def event(results: list[RuleResult]) -> dict:
    run = QualityRun("roster.fighters", 1, "schedule", AT, tuple(results), 10)
    return Serde.to_dict(quality_run_event(quality_job("roster", "fighters", 1),
                                           [(product_dataset("roster", "fighters", 1), results)], run, row_count=10))


def test_rules_become_outcomes_and_slis_become_samples():
    feed = read_quality_run(event([
        rule("fighters.stance:allowed", "failed"),
        rule("slo:availability", "passed", unit="percent", measured=99.0, bad=1, total=100),
        rule("slo:freshness", "failed", unit="seconds", measured=300, bad=0, total=0),
    ]))
    assert [(o.product, o.major, o.rule, o.status, o.ran_at) for o in feed.outcomes] == [
        ("fighters", 1, "fighters.stance:allowed", "failed", AT)]
    samples = {s.sli: s for s in feed.samples}
    assert (samples["availability"].sample.good, samples["availability"].sample.total) == (99, 100)
    # A producer that stopped publishing: nothing late went out, yet the interval is bad and dated from the wait.
    fresh = samples["freshness"]
    assert (fresh.sample.good, fresh.sample.total, fresh.sample.failed) == (0, 1, True)
    assert (AT - fresh.began_at).total_seconds() == 300


def test_ordinary_lineage_carries_nothing_for_incidents():
    assert not read_quality_run({"eventType": "COMPLETE", "job": {"namespace": "octagon.stats", "name": "x"},
                                 "inputs": [{"namespace": "octagon.results", "name": "bout-results.v1"}]})


def test_a_signed_request_verifies_and_a_tampered_one_does_not():
    secret = new_secret()
    body = b'{"type":"octagon.catalog.incident.opened.v1"}'
    headers = {"webhook-id": "abc", "webhook-timestamp": "1764676800",
               "webhook-signature": sign(secret, "abc", 1764676800, body)}
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b" ")
    assert not verify(new_secret(), headers, body)


def test_support_channels_scoped_to_notifications_are_honoured():
    contract = {"support": [{"channel": "team", "tool": "email", "url": "mailto:a@b", "scope": "issues"},
                            {"channel": "alerts", "tool": "slack", "url": "https://hooks.example/x",
                             "scope": "notifications"}]}
    assert notification_channels(contract) == ({"channel": "alerts", "tool": "slack", "url": "https://hooks.example/x"},)


def test_downstream_products_are_found_through_jobs_nearest_first():
    edges = {
        "dataset:octagon.roster:fighters.v1": ["job:octagon.stats:derive"],
        "job:octagon.stats:derive": ["dataset:octagon.stats:fighter-records.v1"],
        "dataset:octagon.stats:fighter-records.v1": ["job:octagon.stats:rank"],
        "job:octagon.stats:rank": ["dataset:octagon.stats:rankings.v1", "dataset:octagon.roster:fighters.v1"],
    }
    found = downstream_products("dataset:octagon.roster:fighters.v1", lambda node: edges.get(node, []))
    assert found == [("stats", "fighter-records", 1), ("stats", "rankings", 1)]
    assert dataset_product("dataset:elsewhere:x.v1") is None
