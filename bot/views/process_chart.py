"""Making Data Count charts as PNG bytes: an XmR chart, or a run chart below 13 points.

    png = process_chart(analyse(observations, Direction.LOWER, target=14.0),
                        name="Waiting time", unit="days",
                        stages=[(date(2024, 3, 4), "New triage rota")])

The chart shows each point in the colour of its variation (the Making Data
Count hex codes of NHS England's test pack), each period's mean (solid) and
process limits (dashed), the target, a marker at a recalculation, the completed
stages as labelled markers on the date axis, and, in a panel on the right, the
variation and assurance icons: circles with an arrow or a letter of our own, in
the same colours and meaning as NHS England's (not their images). Below 13
points it is the run chart of SPEC §8, with the median and "N of 13 points:
process limits come at 13" written on it.

Drawn on matplotlib's Agg canvas directly, never through pyplot: no global
backend, no figures kept between calls, so charts can be drawn on any thread.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from functools import cache
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font

from bot.services.process_control import (
    MINIMUM_POINTS,
    AssuranceIcon,
    Direction,
    Period,
    ProcessChart,
    Variation,
    VariationIcon,
)

# Making Data Count colours, as the test pack gives them (nhse-xmr-testing.md, "Special cause").
VARIATION_COLOURS = {
    Variation.COMMON_CAUSE: "#A6A6A6",
    Variation.IMPROVEMENT: "#00B0F0",
    Variation.CONCERN: "#E46C0A",
    Variation.SPECIAL_CAUSE: "#490092",
}
TARGET_COLOUR = "#2c8a3d"
RUN_CHART_COLOUR = "#A6A6A6"  # points not judged: the run chart's plain grey
LINE_COLOUR = "#5a5a5a"  # the line joining the points, the mean and the limits
MEDIAN_COLOUR = "#8a8a8a"
MARKER_COLOUR = "#3d3d3d"  # the recalculation and the completed stages
ICON_COLOURS = {
    VariationIcon.COMMON_CAUSE: VARIATION_COLOURS[Variation.COMMON_CAUSE],
    VariationIcon.IMPROVEMENT_HIGH: VARIATION_COLOURS[Variation.IMPROVEMENT],
    VariationIcon.IMPROVEMENT_LOW: VARIATION_COLOURS[Variation.IMPROVEMENT],
    VariationIcon.CONCERN_HIGH: VARIATION_COLOURS[Variation.CONCERN],
    VariationIcon.CONCERN_LOW: VARIATION_COLOURS[Variation.CONCERN],
    VariationIcon.SPECIAL_CAUSE_HIGH: VARIATION_COLOURS[Variation.SPECIAL_CAUSE],
    VariationIcon.SPECIAL_CAUSE_LOW: VARIATION_COLOURS[Variation.SPECIAL_CAUSE],
    AssuranceIcon.CONSISTENTLY_PASSING: VARIATION_COLOURS[Variation.IMPROVEMENT],
    AssuranceIcon.CONSISTENTLY_FAILING: VARIATION_COLOURS[Variation.CONCERN],
    AssuranceIcon.HIT_AND_MISS: VARIATION_COLOURS[Variation.COMMON_CAUSE],
}
# What is written inside each icon's circle: an arrow for the side, a letter for assurance.
ICON_SYMBOLS = {
    VariationIcon.COMMON_CAUSE: "≈",
    VariationIcon.IMPROVEMENT_HIGH: "↑",
    VariationIcon.IMPROVEMENT_LOW: "↓",
    VariationIcon.CONCERN_HIGH: "↑",
    VariationIcon.CONCERN_LOW: "↓",
    VariationIcon.SPECIAL_CAUSE_HIGH: "↑",
    VariationIcon.SPECIAL_CAUSE_LOW: "↓",
    AssuranceIcon.CONSISTENTLY_PASSING: "P",
    AssuranceIcon.CONSISTENTLY_FAILING: "F",
    AssuranceIcon.HIT_AND_MISS: "?",
}
_SIZE_INCHES = (9.0, 4.8)
_DPI = 100
_LONE_POINT_DAYS = 7
_STAGE_LABEL_CHARACTERS = 28
_NAME_CHARACTERS = 100
_UNIT_CHARACTERS = 30
_TITLE_LINE = 72  # characters of the title a line, to stay over the chart
_ICON_POINTS = 34
_MISSING_GLYPH = "\N{REPLACEMENT CHARACTER}"


def process_chart(
    chart: ProcessChart,
    *,
    name: str,
    unit: str | None = None,
    stages: Sequence[tuple[date, str]] = (),
) -> bytes:
    """The measure's chart as PNG bytes; `chart` must have at least one point.

    `name` and `unit` make the title; `stages` are the completed stages as
    (completion date, label), drawn as markers on the date axis.
    """
    figure = Figure(figsize=_SIZE_INCHES, dpi=_DPI, layout="constrained")
    canvas = FigureCanvasAgg(figure)
    axes, panel = figure.subplots(1, 2, width_ratios=(5, 1))
    _plot_points(axes, chart)
    if any(period.limits is not None for period in chart.periods):
        _plot_periods(axes, chart.periods)
    else:
        _plot_median(axes, chart.median)
    if not chart.has_limits:
        _write_points_needed(axes, chart.latest_period_points)
    _plot_target(axes, chart.target)
    _plot_stages(axes, stages)
    _label(axes, name, unit, chart.direction)
    _draw_icons(panel, chart)
    panel.legend(*axes.get_legend_handles_labels(), loc="lower center", fontsize="small")
    buffer = BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _plot_points(axes: Axes, chart: ProcessChart) -> None:
    """The values joined by a thin line, each point in its variation's colour (in the legend)."""
    days = date2num([point.date for point in chart.points])
    values = [point.value for point in chart.points]
    axes.plot(days, values, color=LINE_COLOUR, linewidth=1, zorder=2)
    for variation in (None, *Variation):
        group = [n for n, point in enumerate(chart.points) if point.variation == variation]
        if group:
            colour = RUN_CHART_COLOUR if variation is None else VARIATION_COLOURS[variation]
            axes.scatter(
                days[group],
                [values[n] for n in group],
                color=colour,
                s=36,
                zorder=3,
                edgecolors="white",
                linewidths=0.5,
                label=variation,
            )
    if len(days) == 1:
        # One date is no range: give it a fortnight so the date axis can place ticks.
        axes.set_xlim(days[0] - _LONE_POINT_DAYS, days[0] + _LONE_POINT_DAYS)
    locator = AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _plot_periods(axes: Axes, periods: Sequence[Period]) -> None:
    """Each period's mean and limits over its own dates; a marker where one is recalculated."""
    labels = {"mean": "mean", "limits": "process limits"}  # each named once in the legend
    for number, period in enumerate(periods):
        span = date2num([period.start, period.end])
        axes.plot(
            span,
            [period.mean] * 2,
            color=LINE_COLOUR,
            linewidth=1.5,
            label=labels.pop("mean", None),
        )
        if period.limits is not None:
            label = labels.pop("limits", None)
            for level in (period.limits.lower, period.limits.upper):
                axes.plot(
                    span, [level] * 2, color=LINE_COLOUR, linestyle="--", linewidth=1, label=label
                )
                label = None
        if number > 0:
            axes.axvline(
                date2num(period.start),
                color=MARKER_COLOUR,
                linestyle="-.",
                linewidth=1,
                label="recalculated",
            )


def _plot_median(axes: Axes, median: float | None) -> None:
    """The run chart's centre line."""
    if median is not None:
        axes.axhline(
            median, color=MEDIAN_COLOUR, linestyle=":", linewidth=1.5, label=f"median {median:g}"
        )


def _write_points_needed(axes: Axes, points: int) -> None:
    """SPEC §8's "N of 13 points: process limits come at 13", boxed at the top."""
    note = f"{points} of {MINIMUM_POINTS} points: process limits come at {MINIMUM_POINTS}"
    axes.text(
        0.5,
        0.96,
        note,
        transform=axes.transAxes,
        ha="center",
        va="top",
        bbox={"facecolor": "white", "edgecolor": MEDIAN_COLOUR, "boxstyle": "round"},
    )


def _plot_target(axes: Axes, target: float | None) -> None:
    if target is not None:
        axes.axhline(
            target,
            color=TARGET_COLOUR,
            linestyle=(0, (6, 3)),
            linewidth=1.5,
            label=f"target {target:g}",
        )


def _plot_stages(axes: Axes, stages: Sequence[tuple[date, str]]) -> None:
    """Completed stages: a triangle on the date axis and the stage's label beside it."""
    on_date_axis = axes.get_xaxis_transform()
    for number, (day, label) in enumerate(stages):
        x = date2num(day)
        axes.axvline(x, color=MARKER_COLOUR, linestyle=":", linewidth=0.8, alpha=0.6)
        axes.plot(
            [x],
            [0],
            marker="^",
            color=MARKER_COLOUR,
            markersize=8,
            clip_on=False,
            transform=on_date_axis,
            label="stage completed" if number == 0 else None,
        )
        axes.text(
            x,
            0.03,
            _drawable(_shortened(label, _STAGE_LABEL_CHARACTERS)),
            transform=on_date_axis,
            rotation=90,
            ha="right",
            va="bottom",
            fontsize="x-small",
            color=MARKER_COLOUR,
        )


def title_lines(name: str, unit: str | None, direction: Direction) -> list[str]:
    """The measure, its unit and which way is better, in lines that fit over the chart: a long
    name is shortened, never the words that say which way is better."""
    better = "" if direction is Direction.NEITHER else f": {direction} is better"
    unit_part = f" ({_shortened(unit, _UNIT_CHARACTERS)})" if unit else ""
    return textwrap.wrap(_shortened(name, _NAME_CHARACTERS) + unit_part + better, _TITLE_LINE)


def _label(axes: Axes, name: str, unit: str | None, direction: Direction) -> None:
    lines = title_lines(name, unit, direction)
    axes.set_title("\n".join(_drawable(line) for line in lines), loc="left")
    axes.set_ylabel(_drawable(_shortened(unit, _UNIT_CHARACTERS)) if unit else "value")
    axes.grid(visible=True, alpha=0.3)


def _draw_icons(panel: Axes, chart: ProcessChart) -> None:
    """The variation icon above the assurance icon, each with its meaning written under it."""
    panel.set_xlim(0, 1)
    panel.set_ylim(0, 1)
    panel.axis("off")
    icons = (("variation", chart.variation_icon), ("assurance", chart.assurance_icon))
    for row, (kind, icon) in enumerate(icons):
        if icon is not None:
            _draw_icon(panel, icon, kind, centre_y=0.9 - 0.3 * row)


def _draw_icon(
    panel: Axes, icon: VariationIcon | AssuranceIcon, kind: str, *, centre_y: float
) -> None:
    """A ring in the icon's colour (a marker, so round whatever the panel's shape) and its sign."""
    colour = ICON_COLOURS[icon]
    panel.plot(
        [0.5],
        [centre_y],
        marker="o",
        markersize=_ICON_POINTS,
        markerfacecolor="white",
        markeredgecolor=colour,
        markeredgewidth=3,
    )
    panel.text(
        0.5,
        centre_y,
        ICON_SYMBOLS[icon],
        ha="center",
        va="center",
        color=colour,
        fontsize=16,
        fontweight="bold",
    )
    panel.text(0.5, centre_y - 0.1, f"{kind}:\n{icon}", ha="center", va="top", fontsize="small")


def _shortened(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    return text[: length - 1] + "…"


def _drawable(text: str) -> str:
    """User text as typed (`$` escaped), with glyphs the font lacks (emoji) replaced."""
    glyphs = _font_glyphs()
    return _literal("".join(c if ord(c) in glyphs else _MISSING_GLYPH for c in text))


@cache
def _font_glyphs() -> frozenset[int]:
    """The code points matplotlib's default font can draw."""
    return frozenset(get_font(findfont(FontProperties())).get_charmap())


def _literal(text: str) -> str:
    """User text shown as typed: a `$` would otherwise start matplotlib's mathtext."""
    return text.replace("$", r"\$")
