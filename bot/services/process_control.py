"""Statistical process control the Making Data Count way: XmR limits, four rules, two icons.

NHS boards read service measures as XmR charts following NHS England's "Making
Data Count", and its test pack (`shared/spc/`) is the reference this module is
tested against (SPEC §8). Everything here is pure: dated values in, frozen
results out; no database, no Slack, no drawing.

    chart = analyse(observations, Direction.HIGHER, rule_length=6,
                    recalculation=date(2024, 4, 1), target=95.0)
    chart.points[-1].variation      # Variation.IMPROVEMENT, or None below 13 points
    chart.variation_icon            # VariationIcon.IMPROVEMENT_HIGH, ...
    chart.assurance_icon            # AssuranceIcon.HIT_AND_MISS, ...

How it decides, following the pack:

- **Periods.** Without a recalculation the chart is one period. A recalculation
  date starts a second period: the mean and limits are computed separately
  for the points before the date and the points on or after it, each from its
  own moving ranges (the range across the date is left out). A date on or
  before the first point has no point before it, so the chart stays one period.
- **Baseline.** The mean and limits of the first period are computed from its
  points before `baseline_end` only and extended over the rest of that period.
  A recalculation before `baseline_end` falls inside the baseline and is
  ignored ("when a recalculation is also added, only the baseline is
  implemented"); one on or after it starts a second period as above.
- **13 points.** A period whose limits would rest on fewer than 13 points has a
  mean and a median but no limits, and its points no variation: the run chart
  of SPEC §8. Such points are not judged and break every run of the rules.
- **Limits.** Process limits are mean ± 2.66 × the mean moving range; sigma is
  a third of that distance.
- **Rules.** Beyond a process limit (strictly); a shift of `rule_length` points
  in a row strictly above, or strictly below, their period's mean (a point on
  the mean breaks it); a trend of `rule_length` points in a row each strictly
  rising or each strictly falling (an equal value breaks it; it may cross the
  mean); two of three consecutive points beyond two sigma on the same side,
  all three on that side of the mean, where a point beyond three sigma counts
  only for the first rule. The multi-point rules run across a recalculation,
  each point judged against its own period's mean and sigma.
- **Variation.** A high signal (above the mean, or rising) is an improvement
  when higher is better and a concern when lower is better, and the other way
  round for a low signal; when neither is better every signal is a special
  cause. A point that is both improvement and concern is an improvement.
- **Icons.** The variation icon is the latest point's variation and side. The
  assurance icon compares the target with the latest period's limits: a target
  inside them (limits included) is hit and miss; outside them, consistently
  passing or failing by the direction; no assurance icon when neither
  direction is better or there is no target.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MINIMUM_POINTS = 13
RULE_LENGTHS = (6, 7, 8)
DEFAULT_RULE_LENGTH = 6
# 3 / d2 for moving ranges of two points (d2 = 1.128), as the Excel tool rounds it.
LIMIT_FACTOR = 2.66
_TWO_OF_THREE_WINDOW = 3


class Direction(StrEnum):
    """Which way is better for a measure."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class Variation(StrEnum):
    """A point's variation; the values are the words of `measures.csv` (SPEC §8)."""

    COMMON_CAUSE = "common cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    SPECIAL_CAUSE = "special cause"


class Rule(StrEnum):
    """The four special-cause rules."""

    BEYOND_LIMIT = "beyond a process limit"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two of three beyond two sigma"


class Side(StrEnum):
    """Which way a signal points: above the mean or rising is high."""

    HIGH = "high"
    LOW = "low"


class VariationIcon(StrEnum):
    """The variation icon of SPEC §8: the latest point's variation and side."""

    COMMON_CAUSE = "common cause"
    IMPROVEMENT_HIGH = "improvement high"
    IMPROVEMENT_LOW = "improvement low"
    CONCERN_HIGH = "concern high"
    CONCERN_LOW = "concern low"
    SPECIAL_CAUSE_HIGH = "special cause high"
    SPECIAL_CAUSE_LOW = "special cause low"


class AssuranceIcon(StrEnum):
    """Whether the latest limits say the target will be met."""

    CONSISTENTLY_PASSING = "consistently passing"
    CONSISTENTLY_FAILING = "consistently failing"
    HIT_AND_MISS = "hit and miss"


@dataclass(frozen=True)
class Limits:
    """A period's process limits and the sigma of its two-sigma lines."""

    lower: float
    upper: float
    sigma: float


@dataclass(frozen=True)
class Period:
    """A stretch of the chart with one mean and one set of limits.

    `start` and `end` are the dates of its first and last points; `points` how
    many it has; `limit_points` how many of them the mean and limits were
    computed from (fewer than `points` when a baseline is extended).
    """

    start: date
    end: date
    points: int
    limit_points: int
    mean: float
    median: float
    limits: Limits | None


@dataclass(frozen=True)
class JudgedPoint:
    """One observation with its period's lines and what the rules made of it.

    `mean` is always given; the limits and `variation` are None when the
    point's period has fewer than 13 points to compute limits from.
    `rules` holds the rules that fired for the point, whichever colour won.
    """

    date: date
    value: float
    mean: float
    lower_limit: float | None
    upper_limit: float | None
    variation: Variation | None
    rules: frozenset[Rule]


@dataclass(frozen=True)
class ProcessChart:
    """Everything a chart, a summary line or `measures.csv` needs about one measure."""

    points: tuple[JudgedPoint, ...]
    periods: tuple[Period, ...]
    median: float | None
    direction: Direction
    rule_length: int
    target: float | None
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None

    @property
    def has_limits(self) -> bool:
        """Whether the latest period is an XmR chart rather than a run chart."""
        return bool(self.periods) and self.periods[-1].limits is not None

    @property
    def latest_period_points(self) -> int:
        """How many points the latest limits rest on, for "N of 13 points"."""
        return self.periods[-1].limit_points if self.periods else 0


@dataclass(frozen=True)
class _Signal:
    rule: Rule
    side: Side


def analyse(
    observations: Sequence[tuple[date, float]],
    direction: Direction = Direction.HIGHER,
    *,
    rule_length: int = DEFAULT_RULE_LENGTH,
    recalculation: date | None = None,
    baseline_end: date | None = None,
    target: float | None = None,
) -> ProcessChart:
    """Judge `observations` (date, value), in strictly increasing date order.

    `rule_length` is the N of the shift and trend rules (6, 7 or 8);
    `recalculation` the first date of a second period; `baseline_end` the first
    date after the baseline (one before every point means no baseline). Raises
    ValueError for dates out of order, a value that is not finite, or another
    rule length.
    """
    _check(observations, rule_length)
    period_of, periods = _periods(observations, recalculation, baseline_end)
    means = [periods[index].mean for index in period_of]
    limits = [periods[index].limits for index in period_of]
    values = [value for _, value in observations]
    signals = _signals(values, means, limits, rule_length)
    points = tuple(
        JudgedPoint(
            date=day,
            value=value,
            mean=mean,
            lower_limit=None if point_limits is None else point_limits.lower,
            upper_limit=None if point_limits is None else point_limits.upper,
            variation=None if point_limits is None else _variation(point_signals, direction),
            rules=frozenset(signal.rule for signal in point_signals),
        )
        for (day, value), mean, point_limits, point_signals in zip(
            observations, means, limits, signals, strict=True
        )
    )
    latest_limits = periods[-1].limits if periods else None
    return ProcessChart(
        points=points,
        periods=periods,
        median=statistics.median(values) if values else None,
        direction=direction,
        rule_length=rule_length,
        target=target,
        variation_icon=_variation_icon(points[-1], signals[-1], direction) if points else None,
        assurance_icon=_assurance_icon(latest_limits, target, direction),
    )


def _check(observations: Sequence[tuple[date, float]], rule_length: int) -> None:
    if rule_length not in RULE_LENGTHS:
        raise ValueError(f"the rule length is one of {RULE_LENGTHS}, not {rule_length}")
    days = [day for day, _ in observations]
    if any(later <= earlier for earlier, later in itertools.pairwise(days)):
        raise ValueError("observations must be in date order, one a date")
    if not all(math.isfinite(value) for _, value in observations):
        raise ValueError("observations must be finite numbers")


def _periods(
    observations: Sequence[tuple[date, float]],
    recalculation: date | None,
    baseline_end: date | None,
) -> tuple[list[int], tuple[Period, ...]]:
    """Each observation's period index, and the periods with their means and limits."""
    if recalculation is not None and baseline_end is not None and recalculation < baseline_end:
        recalculation = None
    if recalculation is not None and observations and recalculation <= observations[0][0]:
        recalculation = None
    period_of = [int(recalculation is not None and day >= recalculation) for day, _ in observations]
    periods = []
    for index in sorted(set(period_of)):
        members = [
            obs for obs, owner in zip(observations, period_of, strict=True) if owner == index
        ]
        basis = members
        if index == 0 and baseline_end is not None:
            basis = [obs for obs in members if obs[0] < baseline_end] or members
        periods.append(_period(members, [value for _, value in basis]))
    return period_of, tuple(periods)


def _period(members: list[tuple[date, float]], basis: list[float]) -> Period:
    """A period's lines from its `basis` values: limits only from 13 points or more."""
    mean = statistics.fmean(basis)
    return Period(
        start=members[0][0],
        end=members[-1][0],
        points=len(members),
        limit_points=len(basis),
        mean=mean,
        median=statistics.median(value for _, value in members),
        limits=_limits(mean, basis) if len(basis) >= MINIMUM_POINTS else None,
    )


def _limits(mean: float, values: list[float]) -> Limits:
    ranges = [abs(later - earlier) for earlier, later in itertools.pairwise(values)]
    spread = LIMIT_FACTOR * statistics.fmean(ranges)
    return Limits(lower=mean - spread, upper=mean + spread, sigma=spread / 3)


def _signals(
    values: list[float], means: list[float], limits: list[Limits | None], rule_length: int
) -> list[list[_Signal]]:
    """The signals of the four rules at every point (none at points without limits)."""
    signals: list[list[_Signal]] = [[] for _ in values]
    for index, (value, mean, point_limits) in enumerate(zip(values, means, limits, strict=True)):
        side = _beyond(value, mean, point_limits, 3)
        if side is not None:
            signals[index].append(_Signal(Rule.BEYOND_LIMIT, side))
    sides = [
        _side_of_mean(value, mean, lim)
        for value, mean, lim in zip(values, means, limits, strict=True)
    ]
    _mark_shifts(signals, sides, rule_length)
    _mark_trends(signals, _steps(values, limits), rule_length)
    _mark_two_of_three(signals, values, means, limits, sides)
    return signals


def _beyond(value: float, mean: float, limits: Limits | None, sigmas: int) -> Side | None:
    """The side on which `value` lies beyond `sigmas` sigma of the mean, if it does."""
    if limits is None:
        return None
    if value > mean + sigmas * limits.sigma:
        return Side.HIGH
    if value < mean - sigmas * limits.sigma:
        return Side.LOW
    return None


def _side_of_mean(value: float, mean: float, limits: Limits | None) -> Side | None:
    """Above or below the mean; None on it, and for a point that is not judged."""
    if limits is None or value == mean:
        return None
    return Side.HIGH if value > mean else Side.LOW


def _steps(values: list[float], limits: list[Limits | None]) -> list[Side | None]:
    """Per point, whether it rose (high) or fell (low) from the one before.

    A trend of N points is N - 1 steps, so the run is counted in points: the
    first point of the run joins it. A pause, a first point, or a point that is
    not judged has no step.
    """
    steps: list[Side | None] = [None]
    for index in range(1, len(values)):
        earlier, later = values[index - 1], values[index]
        judged = limits[index - 1] is not None and limits[index] is not None
        if not judged or later == earlier:
            steps.append(None)
        else:
            steps.append(Side.HIGH if later > earlier else Side.LOW)
    return steps


def _mark_shifts(signals: list[list[_Signal]], sides: list[Side | None], rule_length: int) -> None:
    """Signal every point of a run of at least `rule_length` points on one side of the mean."""
    for start, stop, side in _runs(sides):
        if stop - start >= rule_length:
            for index in range(start, stop):
                signals[index].append(_Signal(Rule.SHIFT, side))


def _mark_trends(signals: list[list[_Signal]], steps: list[Side | None], rule_length: int) -> None:
    """Signal every point of a trend: N points are N - 1 steps, the first point included."""
    for start, stop, side in _runs(steps):
        if stop - start >= rule_length - 1:
            for index in range(start - 1, stop):
                signals[index].append(_Signal(Rule.TREND, side))


def _runs(sides: list[Side | None]) -> Iterator[tuple[int, int, Side]]:
    """Each longest run of one side as (start, stop, side); None belongs to no run."""
    start = 0
    while start < len(sides):
        stop = start + 1
        while stop < len(sides) and sides[stop] == sides[start]:
            stop += 1
        side = sides[start]
        if side is not None:
            yield start, stop, side
        start = stop


def _mark_two_of_three(
    signals: list[list[_Signal]],
    values: list[float],
    means: list[float],
    limits: list[Limits | None],
    sides: list[Side | None],
) -> None:
    """Signal the points beyond two sigma (not three) in any window of three on one side."""
    beyond_two = [
        _beyond(value, mean, lim, 2) if _beyond(value, mean, lim, 3) is None else None
        for value, mean, lim in zip(values, means, limits, strict=True)
    ]
    for start in range(len(values) - _TWO_OF_THREE_WINDOW + 1):
        window = range(start, start + _TWO_OF_THREE_WINDOW)
        side = sides[start]
        if side is None or any(sides[index] != side for index in window):
            continue
        flagged = [index for index in window if beyond_two[index] == side]
        if len(flagged) >= 2:
            for index in flagged:
                if all(signal.rule is not Rule.TWO_OF_THREE for signal in signals[index]):
                    signals[index].append(_Signal(Rule.TWO_OF_THREE, side))


def _meaning(side: Side, direction: Direction) -> Variation:
    """What a signal on `side` means for a measure where `direction` is better."""
    if direction is Direction.NEITHER:
        return Variation.SPECIAL_CAUSE
    good = Side.HIGH if direction is Direction.HIGHER else Side.LOW
    return Variation.IMPROVEMENT if side is good else Variation.CONCERN


def _variation(point_signals: list[_Signal], direction: Direction) -> Variation:
    """The point's colour: improvement wins a conflict (the Excel tool shows blue)."""
    meanings = {_meaning(signal.side, direction) for signal in point_signals}
    for variation in (Variation.IMPROVEMENT, Variation.CONCERN, Variation.SPECIAL_CAUSE):
        if variation in meanings:
            return variation
    return Variation.COMMON_CAUSE


def _variation_icon(
    point: JudgedPoint, point_signals: list[_Signal], direction: Direction
) -> VariationIcon | None:
    """The latest point's icon; its side is that of the signals behind its colour."""
    if point.variation is None:
        return None
    if point.variation is Variation.COMMON_CAUSE:
        return VariationIcon.COMMON_CAUSE
    sides = {s.side for s in point_signals if _meaning(s.side, direction) is point.variation}
    # Only a point of a direction-less measure can have high and low signals of one colour
    # (a rising trend below the mean); the point's place against the mean settles it.
    side = sides.pop() if len(sides) == 1 else (Side.HIGH if point.value > point.mean else Side.LOW)
    return VariationIcon(f"{point.variation} {side}")


def _assurance_icon(
    limits: Limits | None, target: float | None, direction: Direction
) -> AssuranceIcon | None:
    if limits is None or target is None or direction is Direction.NEITHER:
        return None
    if limits.lower <= target <= limits.upper:
        return AssuranceIcon.HIT_AND_MISS
    target_below_process = target < limits.lower
    passing = target_below_process == (direction is Direction.HIGHER)
    return AssuranceIcon.CONSISTENTLY_PASSING if passing else AssuranceIcon.CONSISTENTLY_FAILING
