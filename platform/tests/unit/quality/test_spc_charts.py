"""Control charts: each Western Electric rule fires on its textbook pattern and not on in-control data; EWMA and
CUSUM catch a small sustained shift; the baseline leaves anomalies out; warm-up; weekday seasonality; marked normal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mesh_platform.quality.spc import ChartSettings, Judgement, Point, assess, western_electric

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
IN_CONTROL = [9.0, 11.0, 10.0, 12.0, 8.0, 10.0, 11.0, 9.0, 10.0]  # mean 10, sd ~1.22, never 8 on one side
SHEWHART = ChartSettings(charts=("shewhart",), baseline=30, warmup=9)


def points(values, step=timedelta(hours=1), start=START):
    return [Point(start + i * step, float(v)) for i, v in enumerate(values)]


def steady(count):
    return [IN_CONTROL[i % len(IN_CONTROL)] for i in range(count)]


@pytest.mark.parametrize(
    ("rule", "scores"),
    [
        ("WE1", [0.2, -0.5, 3.4]),                    # one point beyond 3 sigma
        ("WE1", [0.2, -0.5, -3.4]),
        ("WE2", [0.1, 2.4, 0.3, 2.6]),                # two of three beyond 2 sigma, same side
        ("WE2", [-2.2, -1.0, -2.5]),
        ("WE3", [0.0, 1.3, 1.6, 0.4, 1.2, 1.8]),      # four of five beyond 1 sigma, same side
        ("WE3", [-0.2, -1.1, -1.4, -1.2, -1.5]),
        ("WE4", [0.3, 0.6, 0.2, 0.9, 0.4, 0.1, 0.7, 0.5]),  # eight in a row on one side
    ],
)
def test_each_western_electric_rule_fires_on_its_textbook_pattern(rule, scores):
    assert rule in western_electric(scores)


@pytest.mark.parametrize(
    ("rule", "scores"),
    [
        ("WE1", [0.2, 2.9]),
        ("WE2", [2.4, 0.3, 0.5, 2.6]),                # two beyond 2 sigma, but not within three points
        ("WE2", [2.4, 0.3, -2.6]),                    # two beyond 2 sigma, on opposite sides
        ("WE3", [1.3, 1.6, 0.4, 1.2, 0.8]),           # the last point is not beyond 1 sigma
        ("WE3", [1.3, 0.6, 0.4, 1.2, 1.5]),           # only three of five
        ("WE4", [0.3, 0.6, 0.2, 0.9, 0.4, 0.1, 0.7]),  # seven, not eight
        ("WE4", [0.3, 0.6, 0.2, -0.9, 0.4, 0.1, 0.7, 0.5]),
    ],
)
def test_a_western_electric_rule_does_not_fire_short_of_its_pattern(rule, scores):
    assert rule not in western_electric(scores)


def test_in_control_data_raises_no_signal_from_any_chart():
    judged = assess(points(steady(120)), ChartSettings(charts=("shewhart", "ewma", "cusum"), warmup=9))
    assert {j.verdict for j in judged[9:]} == {"in_control"}
    assert all(not j.signals for j in judged)


def test_the_first_points_warm_up_and_are_not_judged():
    judged = assess(points([*steady(9), 500.0]), SHEWHART)
    assert [j.verdict for j in judged[:9]] == ["warmup"] * 9
    assert judged[9].verdict == "flagged" and "WE1" in judged[9].signals


def test_a_spike_is_flagged_and_left_out_of_the_next_points_baseline():
    judged = assess(points([*steady(27), 100.0, 30.0, 10.0]), SHEWHART)
    spike, second, back = judged[27], judged[28], judged[29]
    assert spike.verdict == "flagged" and spike.signals == ("WE1",)
    # The spike did not widen the limits: the next outlier, far smaller, is caught as well.
    assert second.verdict == "flagged" and second.center == pytest.approx(10.0, abs=0.2)
    assert back.verdict == "in_control" and back.sigma == pytest.approx(spike.sigma, rel=0.05)


def test_a_point_marked_normal_joins_the_baseline_of_later_points():
    series = points([*steady(27), 100.0, 30.0])
    marked = [*series[:27], Point(series[27].at, 100.0, marked_normal=True), series[28]]
    plain, after_marking = assess(series, SHEWHART), assess(marked, SHEWHART)
    assert after_marking[27].verdict == "normal" and after_marking[27].signals == ("WE1",)
    assert plain[28].verdict == "flagged"
    # With the owner's word the 100 counts, the limits widen, and 30 is no longer out of control.
    assert after_marking[28].sigma > 5 * plain[28].sigma
    assert after_marking[28].verdict == "in_control"


def test_ewma_and_cusum_catch_a_one_sigma_shift_that_no_single_point_shows():
    shifted = [v + 1.3 for v in steady(9)] * 2  # about +1 sigma, every point within 3 sigma
    baseline_only = ChartSettings(charts=("shewhart",), rules=("WE1",), warmup=9, baseline=200)
    series = points([*steady(45), *shifted])
    assert all(not j.signals for j in assess(series, baseline_only))
    for chart, signal in (("ewma", "EWMA"), ("cusum", "CUSUM")):
        judged = assess(series, ChartSettings(charts=(chart,), warmup=9, baseline=200))
        assert not any(j.signals for j in judged[:45])
        assert any(signal in j.signals for j in judged[45:]), chart


def test_weekday_seasonality_judges_a_saturday_against_saturdays():
    days = [START + timedelta(days=i) for i in range(8 * 7)]
    values = [100.0 + (i % 3) if day.weekday() == 5 else 10.0 + (i % 3) for i, day in enumerate(days)]
    series = [Point(day, value) for day, value in zip(days, values, strict=True)]
    seasonal = ChartSettings(charts=("shewhart",), warmup=4, baseline=20, seasonality="dayOfWeek")
    plain = ChartSettings(charts=("shewhart",), warmup=4, baseline=20)

    assert not any(j.signals for j in assess(series, seasonal))
    assert any(j.signals for day, j in zip(days, assess(series, plain), strict=True) if day.weekday() == 5)
    # A quiet Saturday is an anomaly only to the seasonal chart.
    quiet = [*series, Point(START + timedelta(days=8 * 7 + 5), 10.0)]
    assert assess(quiet, seasonal)[-1].verdict == "flagged"


def test_judging_on_from_stored_judgements_equals_judging_the_whole_series():
    values = [*steady(30), 40.0, *[v + 1.3 for v in steady(18)], 10.0]
    settings = ChartSettings(charts=("shewhart", "ewma", "cusum"), warmup=9)
    series = points(values)
    whole = assess(series, settings)
    for cut in (10, 31, 40, len(values) - 1):
        assert assess(series, settings, whole[:cut]) == whole, cut
    assert any(j.signals for j in whole[31:])


def test_a_point_flagged_when_it_was_measured_stays_out_of_the_baseline_of_a_shorter_window():
    # The window read back starts at the spike: recomputed afresh it would be a warm-up point and count.
    series = points([100.0, *steady(12)])
    stored = [Judgement("flagged", ("WE1",), 10.0, 1.2, 73.0)]
    judged = assess(series, ChartSettings(charts=("shewhart",), warmup=9), stored)
    assert judged[0] == stored[0]
    assert judged[-1].center == pytest.approx(sum(steady(11)) / 11)
