"""When a rule runs next: its cron schedule, else the service's interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mesh_platform.quality.monitor import next_run
from mesh_platform.quality.rules import parse_rule

NOW = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)


def rule(schedule=None):
    raw = {"metric": "rowCount", "mustBeGreaterThan": 0}
    if schedule:
        raw["schedule"] = schedule
    return parse_rule(raw, key="k", rule_id="r", object_name="o", property_name=None)


def test_a_cron_schedule_decides_the_next_run():
    assert next_run(rule("0 20 * * *"), NOW, 60) == datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    assert next_run(rule("*/5 * * * *"), NOW, 60) == NOW + timedelta(minutes=5)


def test_without_a_schedule_or_with_a_broken_one_the_interval_does():
    assert next_run(rule(), NOW, 60) == NOW + timedelta(seconds=60)
    assert next_run(rule("every tuesday"), NOW, 30) == NOW + timedelta(seconds=30)
