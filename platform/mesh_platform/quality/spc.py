"""Statistical process control over a metric's history: is the newest value an outlier?

Pure statistics, no storage: :func:`assess` takes a series of measured values (oldest first) and judges each point
against a **trailing baseline** of earlier points, the way an individuals (X) control chart does:

* **Baseline.** The last ``baseline`` earlier points that were in control — points flagged before are left out
  (unless an owner marked them normal), so one anomaly does not widen the limits that should catch the next. With
  ``seasonality="dayOfWeek"`` only earlier points of the same UTC weekday count (Saturdays against Saturdays).
  Centre line = baseline mean, sigma = baseline sample standard deviation (floored at ``min_sigma``).
* **Warm-up.** Until ``warmup`` earlier points are known (of the same weekday, with seasonality) a point is not
  judged (``warmup``); nor while fewer than two of them were in control.
* **Shewhart with the Western Electric rules** (Western Electric, *Statistical Quality Control Handbook*, 1956;
  Montgomery, *Introduction to Statistical Quality Control*, §5.3.6), on the point's standardised distance
  ``z = (x - centre) / sigma``; a rule fires at the point that completes its pattern, on one side of the centre:

  - ``WE1``: the point is beyond 3 sigma;
  - ``WE2``: two of the last three points are beyond 2 sigma, this one among them;
  - ``WE3``: four of the last five points are beyond 1 sigma, this one among them;
  - ``WE4``: the last eight points are all on one side of the centre line.

* **EWMA** for small sustained shifts (Roberts 1959; Montgomery §9.2): ``e_t = λ·z_t + (1-λ)·e_{t-1}`` over the
  standardised values, starting at 0 after warm-up and after every signal; it signals ``EWMA`` when
  ``|e_t| > L·sqrt(λ/(2-λ)·(1-(1-λ)^(2t)))`` (λ = 0.2, L = 3 by default).
* **CUSUM** (Page 1954; Montgomery §9.1, tabular form): ``C+_t = max(0, z_t - k + C+_{t-1})`` and
  ``C-_t = max(0, -z_t - k + C-_{t-1})``, signalling ``CUSUM`` when either exceeds ``h`` (k = 0.5, h = 5), then
  restarting at 0.

A point with any signal is ``flagged``; otherwise ``in_control``. Marking a flagged point normal puts it back into
the baselines of the points after it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Verdict = Literal["warmup", "in_control", "flagged", "normal"]
CHARTS = ("shewhart", "ewma", "cusum")
WESTERN_ELECTRIC = ("WE1", "WE2", "WE3", "WE4")
SEASONALITIES = ("none", "dayOfWeek")
_Z_CAP = 1e6  # a change against a constant baseline is "infinitely" far: capped so it stays a number


@dataclass(frozen=True)
class ChartSettings:
    """How a series is charted (the ``implementation`` of a contract's SPC rule)."""

    charts: tuple[str, ...] = ("shewhart", "ewma")
    rules: tuple[str, ...] = WESTERN_ELECTRIC
    """Which Western Electric rules the Shewhart chart applies."""
    baseline: int = 30
    """How many earlier in-control points make the baseline."""
    warmup: int = 10
    """How many baseline points are needed before a point is judged."""
    seasonality: str = "none"
    min_sigma: float = 0.0
    """A floor under sigma (a count that never varied would otherwise flag any change at all)."""
    ewma_lambda: float = 0.2
    ewma_width: float = 3.0
    cusum_k: float = 0.5
    cusum_h: float = 5.0


@dataclass(frozen=True)
class Point:
    """One measured value of a series."""

    at: datetime
    value: float
    marked_normal: bool = False


@dataclass(frozen=True)
class Judgement:
    """What the chart says of one point: its verdict, the signals that fired, and the limits it was judged by."""

    verdict: Verdict
    signals: tuple[str, ...] = ()
    center: float | None = None
    sigma: float | None = None
    score: float | None = None
    """The point's standardised distance from the centre line (``z``)."""

    @property
    def flagged(self) -> bool:
        """Whether a rule fired (even if an owner has since marked the point normal)."""
        return bool(self.signals)

    def limits(self, width: float = 3.0) -> tuple[float, float] | None:
        """The control limits centre ± ``width``·sigma (None during warm-up)."""
        if self.center is None or self.sigma is None:
            return None
        return self.center - width * self.sigma, self.center + width * self.sigma


@dataclass
class _SmallShiftState:
    ewma: float = 0.0
    ewma_steps: int = 0
    cusum_high: float = 0.0
    cusum_low: float = 0.0
    scores: list[float] = field(default_factory=list)

    def restart(self) -> None:
        self.ewma, self.ewma_steps, self.cusum_high, self.cusum_low = 0.0, 0, 0.0, 0.0


def assess(series: Sequence[Point], settings: ChartSettings | None = None,
           judged: Sequence[Judgement] = ()) -> list[Judgement]:
    """Judge every point of ``series`` (oldest first) against its trailing baseline; one :class:`Judgement` each.

    ``judged`` are judgements already made of the first points (as the metric history keeps them): they stay as
    they are — a point judged once is not judged again with hindsight — and only replay the charts' state.
    """
    settings = settings or ChartSettings()
    judgements: list[Judgement] = []
    state = _SmallShiftState()
    for index, point in enumerate(series):
        if index < len(judged):
            judgements.append(judged[index])
            _replay(state, judged[index], settings)
            continue
        baseline = _baseline(series, judgements, index, settings)
        if len(baseline) < 2:
            judgements.append(Judgement("warmup"))
            state.restart()
            state.scores.clear()
            continue
        center = statistics.fmean(baseline)
        sigma = max(statistics.stdev(baseline) if len(baseline) > 1 else 0.0, settings.min_sigma)
        score = _standardised(point.value, center, sigma)
        state.scores.append(score)
        signals = western_electric(state.scores, settings.rules) if "shewhart" in settings.charts else []
        if "ewma" in settings.charts and _ewma_signals(state, score, settings):
            signals.append("EWMA")
        if "cusum" in settings.charts and _cusum_signals(state, score, settings):
            signals.append("CUSUM")
        if signals:
            state.restart()
        verdict: Verdict = "in_control" if not signals else "normal" if point.marked_normal else "flagged"
        judgements.append(Judgement(verdict, tuple(signals), center, sigma, score))
    return judgements


def _replay(state: _SmallShiftState, judgement: Judgement, settings: ChartSettings) -> None:
    """Bring the charts' running state past a point judged before."""
    if judgement.verdict == "warmup" or judgement.score is None:
        state.restart()
        state.scores.clear()
        return
    state.scores.append(judgement.score)
    _ewma_signals(state, judgement.score, settings)
    _cusum_signals(state, judgement.score, settings)
    if judgement.signals:
        state.restart()


def western_electric(scores: Sequence[float], rules: Sequence[str] = WESTERN_ELECTRIC) -> list[str]:
    """The Western Electric rules the last of ``scores`` (standardised values, oldest first) completes."""
    if not scores:
        return []
    last = scores[-1]
    side = 1.0 if last > 0 else -1.0 if last < 0 else 0.0
    fired: list[str] = []

    def beyond(window: Sequence[float], zone: float) -> int:
        return sum(1 for z in window if side * z > zone)

    if "WE1" in rules and abs(last) > 3:
        fired.append("WE1")
    if side and "WE2" in rules and len(scores) >= 3 and side * last > 2 and beyond(scores[-3:], 2) >= 2:
        fired.append("WE2")
    if side and "WE3" in rules and len(scores) >= 5 and side * last > 1 and beyond(scores[-5:], 1) >= 4:
        fired.append("WE3")
    if side and "WE4" in rules and len(scores) >= 8 and beyond(scores[-8:], 0) == 8:
        fired.append("WE4")
    return fired


def _baseline(series: Sequence[Point], judged: Sequence[Judgement], index: int, settings: ChartSettings) -> list[float]:
    """Up to ``baseline`` earlier values that were in control (or marked normal), newest last; empty while the
    chart (or, with day-of-week seasonality, this weekday's chart) is still warming up."""
    earlier: Sequence[int] = range(index)
    if settings.seasonality == "dayOfWeek":
        weekday = series[index].at.weekday()
        earlier = [i for i in earlier if series[i].at.weekday() == weekday]
    if len(earlier) < settings.warmup:
        return []
    usable = [series[i].value for i in earlier if judged[i].verdict != "flagged"]
    return usable[-settings.baseline:]


def _standardised(value: float, center: float, sigma: float) -> float:
    if sigma > 0:
        return max(-_Z_CAP, min(_Z_CAP, (value - center) / sigma))
    return 0.0 if math.isclose(value, center) else math.copysign(_Z_CAP, value - center)


def _ewma_signals(state: _SmallShiftState, score: float, settings: ChartSettings) -> bool:
    lam = settings.ewma_lambda
    state.ewma = lam * score + (1 - lam) * state.ewma
    state.ewma_steps += 1
    spread = settings.ewma_width * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * state.ewma_steps)))
    return abs(state.ewma) > spread


def _cusum_signals(state: _SmallShiftState, score: float, settings: ChartSettings) -> bool:
    state.cusum_high = max(0.0, score - settings.cusum_k + state.cusum_high)
    state.cusum_low = max(0.0, -score - settings.cusum_k + state.cusum_low)
    return state.cusum_high > settings.cusum_h or state.cusum_low > settings.cusum_h
