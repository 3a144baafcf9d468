"""SLOs from the contracts with error budgets and multi-window burn rates (Google SRE workbook arithmetic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.domain.slo import SliSample, SloTarget, burn_rate, evaluate, slo_targets

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
AVAILABILITY = SloTarget("availability", 0.995, "")


def every_minute(minutes: int, good: int, total: int, *, ending: datetime = NOW) -> list[SliSample]:
    return [SliSample(ending - timedelta(minutes=m), good, total) for m in range(minutes)]


def test_objectives_come_from_sla_properties():
    contract = {"slaProperties": [
        {"property": "freshness", "value": 1, "unit": "min", "element": "fighters.updated_at"},
        {"property": "availability", "value": 99.5, "unit": "percent"},
        {"property": "retention", "value": 1, "unit": "y"},
    ]}
    targets = slo_targets(contract, freshness_objective=0.99)
    assert [(t.sli, t.objective, t.threshold) for t in targets] == [
        ("freshness", 0.99, "1 min"), ("availability", 0.995, None)]


def test_an_untouched_budget_is_ok_and_full():
    report = evaluate(AVAILABILITY, every_minute(60, 100, 100), NOW)
    assert (report.status, report.compliance, report.budget_remaining) == ("ok", 1.0, 1.0)
    assert report.burn_rates["1h"] == 0.0


def test_remaining_budget_is_the_share_of_allowed_failures_not_yet_spent():
    # 0.5% may fail; 0.25% failed: half the budget is left, and it burns at half the sustainable rate.
    report = evaluate(AVAILABILITY, every_minute(100, 399, 400) + every_minute(100, 400, 400), NOW)
    assert report.compliance == pytest.approx(0.99875)
    assert report.budget_remaining == pytest.approx(0.75)
    assert report.status == "ok"


def test_a_spent_budget_is_breached():
    report = evaluate(AVAILABILITY, every_minute(30, 98, 100), NOW)
    assert report.budget_remaining is not None and report.budget_remaining < 0
    assert report.status == "breached"


def test_a_fast_burn_fires_the_page_alert_only_when_both_windows_burn():
    # Long history of good traffic keeps the monthly budget mostly intact; the last hour fails 10%.
    history = every_minute(60 * 24 * 20, 1000, 1000, ending=NOW - timedelta(hours=1))
    recent = every_minute(60, 90, 100)
    report = evaluate(AVAILABILITY, history + recent, NOW)
    assert report.burn_rates["1h"] == pytest.approx(20.0)
    assert [alert.threshold for alert in report.firing] == [14.4]
    assert report.status == "warning"
    # The same hour, but the last five minutes healthy again: the short window says it is over.
    healed = every_minute(55, 90, 100, ending=NOW - timedelta(minutes=5)) + every_minute(5, 100, 100)
    assert not evaluate(AVAILABILITY, history + healed, NOW).firing


def test_a_failed_interval_breaches_at_once_and_silence_is_no_data():
    freshness = SloTarget("freshness", 0.99, "", "1 min")
    samples = every_minute(10, 5, 5, ending=NOW - timedelta(minutes=1)) + [SliSample(NOW, 0, 1, failed=True)]
    assert evaluate(freshness, samples, NOW).status == "breached"
    quiet = evaluate(freshness, samples, NOW + timedelta(hours=1), stale_after=timedelta(minutes=10))
    assert quiet.status == "no data"
    assert evaluate(freshness, [], NOW).status == "no data"


def test_burn_rate_is_the_error_ratio_over_the_budget():
    samples = [SliSample(NOW - timedelta(minutes=1), 95, 100)]
    assert burn_rate(samples, 0.99, NOW - timedelta(hours=1)) == pytest.approx(5.0)
    assert burn_rate(samples, 0.99, NOW) is None


def test_history_is_kept_per_day():
    samples = [SliSample(NOW - timedelta(days=1), 9, 10), SliSample(NOW, 10, 10)]
    report = evaluate(AVAILABILITY, samples, NOW)
    assert [(d.day.isoformat(), d.ratio) for d in report.history] == [("2026-12-01", 0.9), ("2026-12-02", 1.0)]
    assert report.as_dict()["errorBudget"]["total"] == pytest.approx(0.005)
