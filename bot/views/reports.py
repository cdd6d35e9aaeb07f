"""The evaluation report: each measure's chart with its figures, and the reflections.

Anonymous reflections are quoted with their role only; `Reflection.user_id`
is already None for them, so no name can slip in here.
"""

from __future__ import annotations

import re
from datetime import date

from bot.services.checkins import EvaluationReport, Point, Reflection, Series
from bot.views.charts import run_chart
from bot.views.checkins import figure, measure_line
from bot.views.inputs import whose_view
from bot.views.message import Message, Upload, blocks, context, header, mention, section
from bot.views.replies import confirmation
from bot.views.text import escape, quote

_QUOTE_LENGTH = 400
_SLUG = re.compile(r"[^a-z0-9]+")


def measure_figures(series: Series) -> str:
    """Latest value, change since the first, median, and responses by role, as text."""
    measure = series.measure
    lines = [measure_line(measure)]
    latest, first = series.latest, series.points[0] if series.points else None
    if latest is None or first is None:
        lines.append("No values recorded yet.")
        return "\n".join(lines)
    unit = measure.unit
    figures = [f"Latest *{figure(latest.value, unit)}* ({_day(latest.day)})"]
    if series.change is not None:
        figures.append(_change(series.change, first, series))
    if series.median is not None:
        figures.append(f"median {figure(series.median, unit)}")
    lines.append(" · ".join(figures))
    runs = len(series.points)
    lines.append(
        f"{runs} check-in{'s' if runs != 1 else ''}; responses by role: {_counts(series.by_role)}"
    )
    return "\n".join(lines)


def chart_upload(series: Series) -> Upload:
    """The measure's run chart, shared with its figures as the comment."""
    name = series.measure.name
    slug = _SLUG.sub("-", name.lower()).strip("-") or "measure"
    return Upload(
        filename=f"{slug[:60]}-run-chart.png",
        title=f"{name}: run chart",
        content=run_chart(series),
        comment=f":chart_with_upwards_trend: {measure_figures(series)}",
    )


def report_summary(report: EvaluationReport) -> Message:
    """Responses and reflections by role, and the latest few reflections quoted."""
    name = report.project.name
    items = [
        header(f"Evaluation report: {name}"),
        section(f"*Responses by role:* {_counts(report.responses_by_role)}"),
        section(f"*Reflections by role:* {_counts(report.reflections_by_role) or 'none yet'}"),
    ]
    items += [
        section(f"{_day_heading(r)}\n{_reflection_text(r)}") for r in report.latest_reflections
    ]
    unmeasured = [s.measure.name for s in report.series if not s.points]
    if unmeasured:
        listed = ", ".join(escape(n, 100) for n in unmeasured[:10])
        items.append(context(f"No values yet for {listed}."))
    return Message(text=f"Evaluation report: {escape(name, 200)}", blocks=blocks(*items))


def report_shared(charts: int) -> Message:
    said = f"{charts} chart{'s' if charts != 1 else ''} and " if charts else ""
    text = f":bar_chart: The evaluation report ({said}the reflections) is in the channel."
    return confirmation(text)


def no_report() -> Message:
    text = (
        "There is nothing to report yet: no check-in has had a response. "
        "`/checkin list` shows when the next one runs."
    )
    return confirmation(text)


def _reflection_text(reflection: Reflection) -> str:
    parts = []
    if reflection.working:
        parts.append(f"*Working:*\n{quote(reflection.working, _QUOTE_LENGTH)}")
    if reflection.not_working:
        parts.append(f"*Not working:*\n{quote(reflection.not_working, _QUOTE_LENGTH)}")
    return "\n".join(parts)


def _day_heading(reflection: Reflection) -> str:
    who = mention(reflection.user_id) if reflection.user_id else "anonymous"
    return f"_{whose_view(reflection.role)}, {who}, {_day(reflection.day)}_"


def _counts(by_role: dict[str, int]) -> str:
    return ", ".join(f"{role} {count}" for role, count in by_role.items())


def _change(change: float, first: Point, series: Series) -> str:
    """The change since the first run, and whether it went the right way."""
    if change == 0:
        return f"no change since the first ({_day(first.day)})"
    unit = series.measure.unit
    sign = "+" if change > 0 else "−"
    verdict = "better" if (change > 0) == series.measure.higher_is_better else "worse"
    return (
        f"change since first *{sign}{figure(abs(change), unit)}* "
        f"(from {figure(first.value, unit)} on {_day(first.day)}), {verdict}"
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
