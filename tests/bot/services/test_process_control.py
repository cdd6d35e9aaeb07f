"""XmR statistics against NHS England's test pack, and each rule at its edges.

The pack (`../shared/spc/`, read in place, see its SOURCES.md) gives every point
of 35 cases the colour of NHS England's Single Chart Tool. The cases' settings
that are not in the data files come from `nhse-xmr-testing.md`, cited by section
in the tables below.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.services.process_control import (
    AssuranceIcon,
    Direction,
    ProcessChart,
    Rule,
    Variation,
    VariationIcon,
    analyse,
)

PACK = Path(__file__).resolve().parents[3] / ".." / "shared" / "spc"
CASES = {
    case["metric"]: case
    for case in json.loads((PACK / "nhse-xmr-test-data.grouped.json").read_text())
}
COLOURS = {
    "#A6A6A6": Variation.COMMON_CAUSE,
    "#00B0F0": Variation.IMPROVEMENT,
    "#E46C0A": Variation.CONCERN,
    "#490092": Variation.SPECIAL_CAUSE,
}
# The pack's "improvement" field; blank means high is good (SOURCES.md).
DIRECTIONS = {"": Direction.HIGHER, "up": Direction.HIGHER, "down": Direction.LOWER,
              "neither": Direction.NEITHER}  # fmt: skip
SIXTEENTH = date(2023, 1, 16)  # the first point after the fifteen before each break in the doc
# Settings the data files leave out, from nhse-xmr-testing.md:
# "Recalculations" (right chart: recalculated after p15), "Baselines" (right chart: a
# baseline of p1 to p15, with the recalculation after it, "only the baseline is
# implemented"), "Special cause crossing recalculations" (all three recalculated after p15).
SETTINGS: dict[str, dict[str, date]] = {
    "Recalculations - Recalculated": {"recalculation": SIXTEENTH},
    "Baselines - Recalculated": {"recalculation": SIXTEENTH, "baseline_end": SIXTEENTH},
    "Special cause crossing recalculations - shift": {"recalculation": SIXTEENTH},
    "Special cause crossing recalculations - trend": {"recalculation": SIXTEENTH},
    "Special cause crossing recalculations - two-sigma": {"recalculation": SIXTEENTH},
}
# "Process limits": mean and limits to two decimals (none for the left chart's 10 points).
PROCESS_LIMITS = {
    "Process limits - 15": (23.20, 8.76, 37.64),
    "Process limits - 10": (22.10, None, None),
}
# "Summary icons -- variation": the icon follows the last point and its side.
VARIATION_ICONS = {
    "Summary icons - variation - High is good": VariationIcon.IMPROVEMENT_HIGH,
    "Summary icons - variation - High is good 2": VariationIcon.COMMON_CAUSE,
    "Summary icons - variation - High is good 3": VariationIcon.CONCERN_LOW,
    "Summary icons - variation - Low is good": VariationIcon.CONCERN_HIGH,
    "Summary icons - variation - Low is good 3": VariationIcon.IMPROVEMENT_LOW,
    "Summary icons - variation - Neither": VariationIcon.SPECIAL_CAUSE_HIGH,
    "Summary icons - variation - Neither 2": VariationIcon.COMMON_CAUSE,
    "Summary icons - variation - Too few points": None,
}
ASSURANCE = "Summary icons - assurance - high is good"
# "Summary icons -- assurance": targets of 40, 30 and 10 against limits 13.33 to 37.00;
# neither direction gives no icon; too few points (the first 10) none; with the
# recalculation after p15 the latest limits (20.45 to 40.21) decide, so 40 is hit and miss.
ASSURANCE_ICONS = [
    (Direction.HIGHER, 40, 30, None, AssuranceIcon.CONSISTENTLY_FAILING),
    (Direction.HIGHER, 30, 30, None, AssuranceIcon.HIT_AND_MISS),
    (Direction.HIGHER, 10, 30, None, AssuranceIcon.CONSISTENTLY_PASSING),
    (Direction.LOWER, 40, 30, None, AssuranceIcon.CONSISTENTLY_PASSING),
    (Direction.LOWER, 30, 30, None, AssuranceIcon.HIT_AND_MISS),
    (Direction.LOWER, 10, 30, None, AssuranceIcon.CONSISTENTLY_FAILING),
    (Direction.HIGHER, None, 30, None, None),
    (Direction.NEITHER, 30, 30, None, None),
    (Direction.HIGHER, 30, 10, None, None),
    (Direction.HIGHER, 40, 30, SIXTEENTH, AssuranceIcon.HIT_AND_MISS),
]


def _observations(case: dict) -> list[tuple[date, float]]:
    return [(date.fromisoformat(point["date"]), float(point["value"])) for point in case["data"]]


def _pack_chart(name: str) -> ProcessChart:
    case = CASES[name]
    return analyse(_observations(case), DIRECTIONS[case["improvement"]], **SETTINGS.get(name, {}))


def _daily(values: list[float], rule_length: int = 6, **settings) -> ProcessChart:
    start = date(2024, 1, 1)
    series = [(start + timedelta(days=n), value) for n, value in enumerate(values)]
    return analyse(series, Direction.HIGHER, rule_length=rule_length, **settings)


def test_the_pack_holds_all_35_cases():
    assert len(CASES) == 35
    assert set(SETTINGS) | set(PROCESS_LIMITS) | set(VARIATION_ICONS) | {ASSURANCE} <= set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_point_gets_the_colour_of_the_pack(name):
    chart = _pack_chart(name)
    expected = [COLOURS[point["colour"]] for point in CASES[name]["data"]]
    if len(expected) < 13:
        # Below 13 points the tool shows no limits and every point grey; we judge none.
        assert set(expected) == {Variation.COMMON_CAUSE}
        expected = [None] * len(expected)
    assert [point.variation for point in chart.points] == expected


@pytest.mark.parametrize(("name", "lines"), sorted(PROCESS_LIMITS.items()))
def test_the_mean_and_limits_of_the_process_limits_cases(name, lines):
    mean, lower, upper = lines
    for point in _pack_chart(name).points:
        assert round(point.mean, 2) == mean
        assert (point.lower_limit is None) == (lower is None)
        assert point.lower_limit is None or round(point.lower_limit, 2) == lower
        assert point.upper_limit is None or round(point.upper_limit, 2) == upper


@pytest.mark.parametrize(("name", "icon"), sorted(VARIATION_ICONS.items()))
def test_the_variation_icon_of_the_icon_cases(name, icon):
    assert _pack_chart(name).variation_icon == icon


@pytest.mark.parametrize(
    ("direction", "target", "points", "recalculation", "icon"), ASSURANCE_ICONS
)
def test_the_assurance_icon_of_the_icon_cases(direction, target, points, recalculation, icon):
    observations = _observations(CASES[ASSURANCE])[:points]
    chart = analyse(observations, direction, target=target, recalculation=recalculation)
    assert chart.assurance_icon == icon


def test_each_period_has_the_limits_of_its_own_points_alone():
    observations = _observations(CASES["Recalculations - Recalculated"])
    recalculated = analyse(observations, recalculation=SIXTEENTH)
    for period, points in zip(
        recalculated.periods, (observations[:15], observations[15:]), strict=True
    ):
        assert period.limits == analyse(points).periods[0].limits
    assert [(period.start, period.points) for period in recalculated.periods] == [
        (date(2023, 1, 1), 15),
        (SIXTEENTH, 15),
    ]


def test_a_baseline_extends_its_limits_over_the_later_points():
    observations = _observations(CASES["Baselines"])
    chart = analyse(observations, baseline_end=SIXTEENTH)
    baseline = analyse(observations[:15]).periods[0]
    assert chart.periods[0].limits == baseline.limits
    assert chart.periods[0].limit_points == 15
    assert all(point.upper_limit == baseline.limits.upper for point in chart.points)
    above = [point for point in chart.points if point.value > baseline.limits.upper]
    assert above
    assert {point.variation for point in above} == {Variation.IMPROVEMENT}


def test_a_recalculation_inside_the_baseline_is_ignored():
    observations = _observations(CASES["Baselines"])
    alone = analyse(observations, baseline_end=SIXTEENTH)
    assert analyse(observations, baseline_end=SIXTEENTH, recalculation=date(2023, 1, 10)) == alone


def _shift_series(run: list[float]) -> list[float]:
    """`run` between points below the mean and lone points above it: only the run can shift."""
    return [15, 5] * 4 + run + [5, 15] * 4


def test_a_point_on_the_mean_breaks_a_shift():
    run = [11.0] * 3 + [10.0] + [11.0] * 3
    values = [*run, *[9.0] * 3, 10.0, *[9.0] * 3]  # mean exactly 10
    broken = _daily(values)
    assert broken.points[3].value == broken.points[3].mean
    assert all(Rule.SHIFT not in point.rules for point in broken.points)
    unbroken = _daily([11.0] * 7 + [9.0] * 7)
    assert all(Rule.SHIFT in point.rules for point in unbroken.points)


def test_a_pause_breaks_a_trend():
    before, after = [10, 14, 9, 13, 10, 30], [10, 14, 9, 13, 10]
    paused = _daily([*before, 20, 21, 22, 22, 23, 24, 25, *after])
    assert all(Rule.TREND not in point.rules for point in paused.points)
    rising = _daily([*before, 20, 21, 22, 23, 24, 25, *after])
    assert [Rule.TREND in point.rules for point in rising.points] == [False] * 6 + [True] * 6 + [
        False
    ] * 5


@pytest.mark.parametrize("rule_length", [6, 7, 8])
def test_a_shift_takes_the_rule_length_in_a_row(rule_length):
    short = _daily(_shift_series([12.0] * (rule_length - 1)), rule_length)
    assert all(Rule.SHIFT not in point.rules for point in short.points)
    enough = _daily(_shift_series([12.0] * rule_length), rule_length)
    assert sum(Rule.SHIFT in point.rules for point in enough.points) == rule_length


@pytest.mark.parametrize("rule_length", [6, 7, 8])
def test_a_trend_takes_the_rule_length_in_a_row(rule_length):
    def trend_of(points: int) -> ProcessChart:
        rising = [20.0 + step for step in range(points)]
        return _daily([10, 14, 9, 13, 10, 30, *rising, 10, 14, 9, 13, 10], rule_length)

    assert all(Rule.TREND not in point.rules for point in trend_of(rule_length - 1).points)
    assert sum(Rule.TREND in point.rules for point in trend_of(rule_length).points) == rule_length


def test_other_rule_lengths_are_refused():
    with pytest.raises(ValueError, match="rule length"):
        _daily([1.0] * 13, rule_length=5)


def test_observations_out_of_date_order_are_refused():
    with pytest.raises(ValueError, match="date order"):
        analyse([(date(2024, 1, 2), 1.0), (date(2024, 1, 1), 2.0)])


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_values_that_are_not_finite_are_refused(value):
    with pytest.raises(ValueError, match="finite"):
        _daily([1.0] * 12 + [value])


def _two_of_three(first: float, second: float) -> ProcessChart:
    """Steady points with `first` and `second` side by side above them."""
    return _daily([9.0, 11.0] * 20 + [first, second] + [9.0, 11.0] * 2)


def test_two_of_three_beyond_two_sigma_on_one_side_are_special_cause():
    chart = _two_of_three(15.0, 15.0)
    mean, sigma = chart.periods[0].mean, chart.periods[0].limits.sigma
    assert mean + 2 * sigma < 15.0 < mean + 3 * sigma
    assert [point.rules for point in chart.points[40:42]] == [{Rule.TWO_OF_THREE}] * 2
    assert chart.points[40].variation is Variation.IMPROVEMENT


def test_a_point_beyond_three_sigma_does_not_count_for_two_of_three():
    chart = _two_of_three(15.0, 21.0)
    mean, sigma = chart.periods[0].mean, chart.periods[0].limits.sigma
    assert mean + 2 * sigma < 15.0 < mean + 3 * sigma < 21.0
    assert chart.points[41].rules == {Rule.BEYOND_LIMIT}
    assert chart.points[40].rules == set()
    assert chart.points[40].variation is Variation.COMMON_CAUSE


def test_a_point_both_improvement_and_concern_is_improvement():
    falling = [25.0, 30, 28, 26, 24, 22, 20]
    v_shape = _daily([*falling, 22, 24, 26, 28, 30, 25])
    bottom = v_shape.points[6]
    assert bottom.rules == {Rule.TREND}
    assert [point.variation for point in v_shape.points[1:6]] == [Variation.CONCERN] * 5
    assert bottom.variation is Variation.IMPROVEMENT
    only_falling = _daily([*falling, 25, 21, 25, 21, 25, 21])
    assert only_falling.points[6].variation is Variation.CONCERN


def test_twelve_points_give_no_limits_and_thirteen_do():
    values = [30.0, 31, 25, 35, 34, 15, 21, 23, 30, 26, 26, 22, 25]
    twelve, thirteen = _daily(values[:12], target=20), _daily(values, target=20)
    assert not twelve.has_limits
    assert twelve.latest_period_points == 12
    assert {(p.lower_limit, p.upper_limit, p.variation) for p in twelve.points} == {
        (None, None, None)
    }
    assert twelve.median == 26.0
    assert round(twelve.points[0].mean, 2) == 26.5
    assert (twelve.variation_icon, twelve.assurance_icon) == (None, None)
    assert thirteen.has_limits
    assert all(point.variation is Variation.COMMON_CAUSE for point in thirteen.points)
    assert thirteen.variation_icon is VariationIcon.COMMON_CAUSE
    assert thirteen.assurance_icon is AssuranceIcon.HIT_AND_MISS


def test_a_period_of_fewer_than_thirteen_points_after_a_recalculation_has_no_limits():
    values = [30.0, 31, 25, 35, 34, 15, 21, 23, 30, 26, 26, 22, 25, 40, 41]
    chart = _daily(values, recalculation=date(2024, 1, 14))
    assert chart.periods[0].limits is not None
    assert chart.periods[1].limits is None
    assert [point.variation for point in chart.points[13:]] == [None, None]
    assert chart.variation_icon is None
    assert chart.latest_period_points == 2


def test_no_observations_give_an_empty_chart():
    chart = analyse([])
    assert (chart.points, chart.periods, chart.median) == ((), (), None)
    assert (chart.has_limits, chart.variation_icon, chart.assurance_icon) == (False, None, None)


@pytest.mark.parametrize("on", [date(2024, 1, 1), date(2023, 6, 1)])
def test_a_recalculation_on_or_before_the_first_point_leaves_one_period(on):
    values = [30.0, 31, 25, 35, 34, 15, 21, 23, 30, 26, 26, 22, 25, 40, 41]
    chart = _daily(values, recalculation=on)
    assert chart == _daily(values)
    assert len(chart.periods) == 1
