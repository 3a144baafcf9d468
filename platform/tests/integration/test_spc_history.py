"""Control charts over a real store (SQLite and PostgreSQL): each run's measurements go into the metric history, a
volume outlier is a failing check of its SPC rule, and an owner's "normal" changes what later points are judged by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import MetaData, insert

from mesh_platform.contracts import DataProductContract, default_contracts_dir
from mesh_platform.quality.metric_history import MetricHistory, PointNotFound
from mesh_platform.quality.results import QualityRun, RuleResult
from mesh_platform.quality.spc_charts import SpcCharts
from mesh_platform.quality.spc_rules import parse_spc_rule
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_platform_tables
from mesh_platform.store.platform_tables import define_platform_tables

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 2, 12, tzinfo=UTC)
VOLUME = "fighters:fighters_volume_control"


@pytest.fixture
def fighters() -> DataProductContract:
    return DataProductContract.from_document(
        yaml.safe_load(Path(default_contracts_dir(), "roster", "fighters.odcs.yaml").read_text()), "fighters.odcs.yaml"
    )


@pytest.fixture
def charts(store_url):
    engine = create_store_engine(store_url)
    upgrade_platform_tables(engine)
    outbox = define_platform_tables(MetaData()).outbox
    outbox.create(engine)
    yield SpcCharts(MetricHistory(engine), engine, outbox)
    engine.dispose()


def scheduled_run(at: datetime, rows: int) -> QualityRun:
    measured = RuleResult(rule_key="fighters.stance:stance_allowed", rule_id="stance_allowed", object_name="fighters",
                          property_name="stance", status="passed", measured=0.0, unit="rows", expectation="= 0 rows",
                          message="", ran_at=at, duration_ms=1.0, metric="invalidValues")
    return QualityRun("roster.fighters", 1, "schedule", at, (measured,), rows)


def run_at(charts: SpcCharts, contract: DataProductContract, minute: int, rows: int) -> dict[str, RuleResult]:
    records = [{"fighter_id": str(i), "nickname": None if i % 4 == 0 else "x"} for i in range(rows)]
    at = START + timedelta(minutes=minute)
    run = charts.extend(scheduled_run(at, rows), contract, records, charts.rules(contract))
    return {result.rule_key: result for result in run.results}


def test_a_volume_outlier_fails_its_rule_and_an_owner_can_mark_it_normal(charts, fighters):
    for minute in range(12):
        results = run_at(charts, fighters, minute, 100 + minute % 3)
    assert results[VOLUME].status == "passed" and "in control" in results[VOLUME].message

    spike = run_at(charts, fighters, 12, 400)
    assert spike[VOLUME].status == "failed" and "WE1" in spike[VOLUME].message
    assert spike["fighters.nickname:nickname_null_rate_control"].status == "passed"  # 25% nulls, as always

    history = charts.history
    series = history.series("roster.fighters", 1, VOLUME)
    assert [point.value for point in series][-2:] == [102.0, 400.0]
    assert [point.verdict for point in series][:10] == ["warmup"] * 10
    [flagged] = history.flagged()
    assert (flagged.id, flagged.verdict, flagged.value) == (series[-1].id, "flagged", 400.0)
    # Every measured value of the run is kept too, not only the charted ones.
    assert [p.value for p in history.series("roster.fighters", 1, "fighters.stance:stance_allowed")] == [0.0] * 13

    assert run_at(charts, fighters, 13, 395)[VOLUME].status == "failed"  # the spike stays out of the baseline
    marked = history.mark_normal(flagged.id, by="roster-owner", reason="a bulk import of a new promotion's roster")
    assert (marked.verdict, marked.marked_by) == ("normal", "roster-owner")
    with pytest.raises(PointNotFound):
        history.mark_normal(flagged.id, by="roster-owner", reason="twice")
    # With the owner's word the 400 counts: the limits widen, and 250 is no longer beyond them (before: sigma 1).
    run_at(charts, fighters, 14, 250)
    *_, before, after = history.series("roster.fighters", 1, VOLUME)
    assert (before.sigma, "WE1" in before.signals) == (1.0, True)
    assert after.sigma > 50 and "WE1" not in after.signals


def test_events_per_hour_and_freshness_are_measured_from_the_outbox_and_the_records(charts, fighters):
    now = START + timedelta(hours=5)
    with charts.store.begin() as connection:
        for minutes_ago, published in ((5, True), (30, False), (59, True), (61, True), (200, True)):
            connection.execute(insert(charts.outbox).values(
                event_id=f"e-{minutes_ago}", topic=fighters.topic, message_key="k", event_type="t", source="s",
                occurred_at=now - timedelta(minutes=minutes_ago), payload={}, attempts=0,
                published_at=now if published else None,
            ))
        connection.execute(insert(charts.outbox).values(
            event_id="other", topic="elsewhere.v1", message_key="k", event_type="t", source="s",
            occurred_at=now - timedelta(minutes=1), payload={}, attempts=0,
        ))

    def rule(measure, property_name=None):
        return parse_spc_rule({"implementation": {"measure": measure}}, measure, "fighters", property_name)

    records = [{"registered_at": (now - timedelta(minutes=m)).isoformat()} for m in (90, 15)] + [{"registered_at": None}]
    assert charts.measure(rule("eventsPerHour"), fighters, records, now) == 3.0  # 5, 30 and 59 minutes ago
    assert charts.measure(rule("freshness"), fighters, records, now) == 30 * 60.0  # the event waiting since then
    assert charts.measure(rule("freshness", "registered_at"), fighters, records, now) == 15 * 60.0
    assert charts.measure(rule("nullRate", "registered_at"), fighters, records, now) == pytest.approx(100 / 3)
    assert charts.measure(rule("rowCount"), fighters, records, now) == 3.0
