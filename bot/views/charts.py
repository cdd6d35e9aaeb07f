"""Run charts as PNG bytes: a measure's values by check-in date, its target and median.

Drawn on matplotlib's Agg canvas directly (a `Figure` with a `FigureCanvasAgg`),
never through pyplot: nothing here picks a global backend, opens a window or
keeps figures alive between calls, so charts can be drawn on any thread.
"""

from __future__ import annotations

from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from bot.services.checkins import Series
from storage.models import Measure

VALUE_COLOUR = "#1f5fa8"
TARGET_COLOUR = "#2c8a3d"
MEDIAN_COLOUR = "#8a8a8a"
VALUE_LABEL = "value at each check-in"
_SIZE_INCHES = (8.0, 4.5)
_DPI = 100
_LONE_POINT_DAYS = 7


def run_chart(series: Series) -> bytes:
    """The measure's run chart; `series` must have at least one point."""
    figure = Figure(figsize=_SIZE_INCHES, dpi=_DPI, layout="constrained")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _plot_values(axes, series)
    _plot_levels(axes, series)
    _label(axes, series.measure)
    buffer = BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _plot_values(axes: Axes, series: Series) -> None:
    """The values by date: matplotlib's day numbers, shown as dates by the date locator."""
    days = date2num([point.day for point in series.points])
    values = [point.value for point in series.points]
    axes.plot(days, values, color=VALUE_COLOUR, marker="o", linewidth=2, label=VALUE_LABEL)
    if len(days) == 1:
        # One date is no range: give it a fortnight so the date axis can place ticks.
        axes.set_xlim(days[0] - _LONE_POINT_DAYS, days[0] + _LONE_POINT_DAYS)
    locator = AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _plot_levels(axes: Axes, series: Series) -> None:
    """The target (when the measure has one) and the median, as horizontal lines."""
    levels = (
        (series.measure.target, "target", TARGET_COLOUR, "--", 2.0),
        (series.median, "median", MEDIAN_COLOUR, ":", 1.5),
    )
    for value, name, colour, style, width in levels:
        if value is not None:
            label = f"{name} {value:g}"
            axes.axhline(value, color=colour, linestyle=style, linewidth=width, label=label)


def _label(axes: Axes, measure: Measure) -> None:
    direction = "higher" if measure.higher_is_better else "lower"
    axes.set_title(_literal(f"{measure.name} ({direction} is better)"))
    axes.set_xlabel("check-in date")
    axes.set_ylabel(_literal(measure.name + (f" ({measure.unit})" if measure.unit else "")))
    axes.grid(visible=True, alpha=0.3)
    axes.legend(loc="best")


def _literal(text: str) -> str:
    """User text shown as typed: a `$` would otherwise start matplotlib's mathtext."""
    return text[:80].replace("$", r"\$")
