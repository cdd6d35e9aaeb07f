"""The evaluation report (SPEC §8): each measure's chart with one summary line, `measures.csv`,
and the reflections by side.

Anonymous reflections are quoted with their role only; `Reflection.user_id`
is already None for them, so no name can slip in here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.services.evaluation import EvaluationReport, Reflection, StageMarker
from bot.services.measures import MeasureSeries
from bot.services.process_control import MINIMUM_POINTS, ProcessChart, VariationIcon
from bot.views.checkins import figure, plain_figure
from bot.views.dates import day
from bot.views.inputs import side_heading
from bot.views.measures_csv import measures_csv
from bot.views.message import Message, Upload, blocks, context, header, mention, section
from bot.views.process_chart import process_chart
from bot.views.replies import confirmation
from bot.views.text import counted, escape, quote

REFLECTIONS_PER_SIDE = 3
_QUOTE_LENGTH = 400
_SLUG = re.compile(r"[^a-z0-9]+")

# How the latest point's variation reads in a sentence.
VARIATION_WORDS = {
    VariationIcon.COMMON_CAUSE: "common cause variation",
    VariationIcon.IMPROVEMENT_HIGH: "special cause improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "special cause improvement (low)",
    VariationIcon.CONCERN_HIGH: "special cause concern (high)",
    VariationIcon.CONCERN_LOW: "special cause concern (low)",
    VariationIcon.SPECIAL_CAUSE_HIGH: "special cause (high)",
    VariationIcon.SPECIAL_CAUSE_LOW: "special cause (low)",
}


def points_needed(chart: ProcessChart) -> str:
    return f"{chart.latest_period_points} of {MINIMUM_POINTS} points: process limits come at 13"


def variation_words(chart: ProcessChart) -> str:
    icon = chart.variation_icon
    return VARIATION_WORDS[icon] if chart.has_limits and icon is not None else points_needed(chart)


def assurance_words(chart: ProcessChart) -> str:
    if chart.target is None:
        return "no target"
    if chart.assurance_icon is None:
        return "no assurance (neither way is better)" if chart.has_limits else "not yet assured"
    return str(chart.assurance_icon)


def summary_line(series: MeasureSeries, chart: ProcessChart) -> str:
    """Latest value, mean, process limits, variation and assurance, in one line of mrkdwn."""
    unit, latest = series.measure.unit, series.latest
    name = f"*{escape(series.measure.name, 200)}*"
    if latest is None:
        return f"{name}: no points yet."
    mean_of = f", the mean of {latest.figures} figures" if latest.figures > 1 else ""
    said = [name, f"latest *{figure(latest.value, unit)}* ({day(latest.day)}{mean_of})"]
    return " · ".join(said + [escape(part, 200) for part in _judged(series, chart)])


def chart_description(series: MeasureSeries, chart: ProcessChart) -> str:
    """What the chart shows, in plain sentences, for a reader who cannot see it (alt text)."""
    kind = "Process chart" if chart.has_limits else "Run chart"
    first, latest = series.observations[0], series.observations[-1]
    span = (
        f"{counted(len(series.observations), 'point')} from {day(first.day)} to {day(latest.day)}"
    )
    latest_text = f"latest {plain_figure(latest.value, series.measure.unit)}"
    parts = [latest_text, *_judged(series, chart)]
    return f"{kind} of {series.measure.name}, {span}: {', '.join(parts)}."


def _judged(series: MeasureSeries, chart: ProcessChart) -> list[str]:
    """The mean, the process limits (or how many points they need), variation and assurance."""
    unit = series.measure.unit
    said = [f"mean {plain_figure(chart.points[-1].mean, unit)}"]
    lowest, highest = chart.points[-1].lower_limit, chart.points[-1].upper_limit
    if lowest is None or highest is None:
        said.append(points_needed(chart))
    else:
        limits = f"{plain_figure(lowest, unit)} to {plain_figure(highest, unit)}"
        said += [f"process limits {limits}", variation_words(chart)]
    said.append(f"assurance: {assurance_words(chart)}")
    return said


def chart_png(
    series: MeasureSeries, chart: ProcessChart, completed: Sequence[StageMarker]
) -> bytes:
    return process_chart(
        chart,
        name=series.measure.name,
        unit=series.measure.unit,
        stages=[(stage.day, stage.label) for stage in completed],
    )


def chart_upload(
    series: MeasureSeries, chart: ProcessChart, completed: Sequence[StageMarker]
) -> Upload:
    """The measure's chart, shared with its summary line as the comment."""
    name = series.measure.name
    slug = _SLUG.sub("-", name.lower()).strip("-") or "measure"
    return Upload(
        filename=f"{slug[:60]}-chart.png",
        title=f"{name}: {'process' if chart.has_limits else 'run'} chart",
        content=chart_png(series, chart, completed),
        comment=f":chart_with_upwards_trend: {summary_line(series, chart)}",
        alt_text=chart_description(series, chart),
    )


def csv_upload(charts: Sequence[tuple[MeasureSeries, ProcessChart]]) -> Upload:
    return Upload(
        filename="measures.csv",
        title="measures.csv",
        content=measures_csv([(series.measure.name, chart) for series, chart in charts]),
        comment="Every point of every measure, with its mean, process limits and variation.",
    )


def report_summary(report: EvaluationReport) -> Message:
    """Responses by role, and each side's latest reflections quoted."""
    name = report.project.name
    items = [
        header(f"Evaluation report: {name}"),
        section(f"*Responses by role:* {_counts(report.responses_by_role) or 'none yet'}"),
    ]
    by_side = report.reflections_by_side
    if not by_side:
        items.append(section("*Reflections:* none yet"))
    for side, reflections in by_side.items():
        latest = reflections[-REFLECTIONS_PER_SIDE:][::-1]
        quoted = "\n".join(f"{_day_heading(r)}\n{reflection_text(r)}" for r in latest)
        count = len(reflections)
        noun = "reflection" if count == 1 else "reflections"
        items.append(section(f"*{side_heading(side)}* ({count} {noun})\n{quoted}"))
    unmeasured = [s.measure.name for s in report.series if not s.observations]
    if unmeasured:
        listed = ", ".join(escape(n, 100) for n in unmeasured[:10])
        items.append(context(f"No points yet for {listed}."))
    return Message(text=f"Evaluation report: {escape(name, 200)}", blocks=blocks(*items))


def report_shared(charts: int) -> Message:
    said = f"{counted(charts, 'chart')}, " if charts else ""
    text = (
        f":bar_chart: The evaluation report ({said}measures.csv and the reflections) "
        "is in the channel."
    )
    return confirmation(text)


def no_report() -> Message:
    text = (
        "There is nothing to report yet: no measure has a point and no check-in has had a "
        "response. `/checkin measure data NAME` adds data; `/checkin list` shows the next check-in."
    )
    return confirmation(text)


def reflection_text(reflection: Reflection) -> str:
    parts = []
    if reflection.working:
        parts.append(f"*Working:*\n{quote(reflection.working, _QUOTE_LENGTH)}")
    if reflection.not_working:
        parts.append(f"*Not working:*\n{quote(reflection.not_working, _QUOTE_LENGTH)}")
    return "\n".join(parts)


def _day_heading(reflection: Reflection) -> str:
    who = mention(reflection.user_id) if reflection.user_id else "anonymous"
    return f"_{who}, {day(reflection.day)}_"


def _counts(by_role: dict[str, int]) -> str:
    return ", ".join(f"{role} {count}" for role, count in by_role.items())
