"""The partnership report as a PDF (SPEC §8): what a partnership forum or a board reads.

    pdf = partnership_pdf(report)   # bytes, with every section below

A cover (the project, the date, the period from the project's start to that
date), then the need for change, the plan with each stage's outcome and
dates, the measures (a summary table, then each chart), the concerns raised
by principle and how they were resolved, "you said, we did", the reflections
of each side, and page numbers in the footer.

Drawn with fpdf2 (pure Python) in DejaVu Sans, the font matplotlib ships, so
that any text people typed prints as typed without a system font. People
are never named: a Slack id means nothing on paper, and anonymous answers
must stay so. Drawing is slow: call this outside any transaction.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.fonts import FontFace

from bot.services.evaluation import PartnershipReport, Reflection
from bot.services.measures import MeasureSeries
from bot.services.process_control import ProcessChart
from bot.views.checkins import plain_figure
from bot.views.inputs import side_heading
from bot.views.message import Upload
from bot.views.reports import assurance_words, chart_description, chart_png, variation_words
from bot.views.typeface import FONT, add_typeface, printable
from storage.models import Concern, ConcernStatus, Stage, StageStatus

SECTIONS = (
    "Need for change",
    "The plan",
    "Measures",
    "Concerns raised",
    "You said, we did",
    "Reflections of each side",
)
NO_YOU_SAID_WE_DID = (
    "None yet: when the project records what it changed in answer to feedback, it is listed here."
)
_ACCENT = (0, 94, 184)  # NHS blue, for headings
_HEADING_SIZE = 15
_BODY_SIZE = 10
_LINE = 5.5
_CHART_WIDTH = 180
_SLUG = re.compile(r"[^a-z0-9]+")


def partnership_upload(report: PartnershipReport) -> Upload:
    slug = _SLUG.sub("-", report.project.name.lower()).strip("-")[:60] or "project"
    return Upload(
        filename=f"{slug}-partnership-report-{report.today.isoformat()}.pdf",
        title=f"Partnership report: {report.project.name}",
        content=partnership_pdf(report),
        comment=":page_facing_up: The partnership report, for the forum or the board.",
    )


def partnership_pdf(report: PartnershipReport) -> bytes:
    pdf = _ReportPdf()
    _cover(pdf, report)
    pdf.add_page()
    _need(pdf, report)
    _plan(pdf, report)
    _measures(pdf, report)
    _concerns(pdf, report)
    _you_said_we_did(pdf, report)
    _reflections(pdf, report)
    return bytes(pdf.output())


class _ReportPdf(FPDF):
    """A4 portrait in DejaVu Sans, with "Page N of M" in every footer."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        add_typeface(self)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_font(FONT, size=_BODY_SIZE)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(
            0, 6, f"Page {self.page_no()} of {{nb}}", align="C", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(0, 0, 0)

    def centred(
        self, text: str, *, size: float, style: str = "", colour: tuple[int, int, int] = (0, 0, 0)
    ) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(
            0, size * 0.5, printable(self, text), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=_BODY_SIZE)

    def heading(self, text: str) -> None:
        self.ln(4)
        self.set_font(FONT, "B", _HEADING_SIZE)
        self.set_text_color(*_ACCENT)
        self.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=_BODY_SIZE)
        self.ln(1)

    def subheading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, "B", _BODY_SIZE + 1)
        self.multi_cell(0, _LINE + 0.5, printable(self, text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=_BODY_SIZE)

    def paragraph(self, text: str, *, italic: bool = False) -> None:
        self.set_font(FONT, "I" if italic else "", _BODY_SIZE)
        self.multi_cell(0, _LINE, printable(self, text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=_BODY_SIZE)
        self.ln(1)

    def rows(self, heading: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]):
        """A table with a bold heading row that repeats on every page it spans."""
        self.set_font(FONT, size=_BODY_SIZE - 1)
        with self.table(
            col_widths=widths,
            headings_style=FontFace(emphasis="BOLD", fill_color=(232, 237, 244)),
            line_height=_LINE,
            text_align="LEFT",
        ) as table:
            table.row(heading)
            for row in rows:
                table.row([printable(self, cell) for cell in row])
        self.set_font(FONT, size=_BODY_SIZE)
        self.ln(2)


def _cover(pdf: _ReportPdf, report: PartnershipReport) -> None:
    pdf.add_page()
    pdf.ln(50)
    pdf.centred("Partnership report", size=26, style="B", colour=_ACCENT)
    pdf.ln(4)
    pdf.centred(report.project.name, size=18, style="B")
    pdf.ln(10)
    pdf.centred(f"Prepared on {_day(report.today)}", size=12)
    pdf.centred(f"Period: {_day(report.started)} to {_day(report.today)}", size=12)
    pdf.ln(14)
    for line in _at_a_glance(report):
        pdf.centred(line, size=11)
    pdf.ln(14)
    pdf.centred(_contents(), size=_BODY_SIZE, style="I")


def _at_a_glance(report: PartnershipReport) -> list[str]:
    """The cover's few figures: how far the plan is, what is measured, what was raised."""
    done = sum(1 for stage in report.stages if stage.status == StageStatus.DONE)
    measured = sum(1 for series in report.evaluation.series if series.observations)
    raised = [concern for concerns in report.concerns.values() for concern in concerns]
    resolved = sum(1 for concern in raised if concern.status == ConcernStatus.RESOLVED)
    responses = sum(report.evaluation.responses_by_role.values())
    return [
        f"Stages done: {done} of {len(report.stages)}",
        f"Measures with data: {measured} of {len(report.evaluation.series)}",
        f"Concerns raised: {len(raised)}, resolved: {resolved}",
        f"Check-in responses: {responses}",
    ]


def _contents() -> str:
    return "Contents: " + " · ".join(SECTIONS)


def _need(pdf: _ReportPdf, report: PartnershipReport) -> None:
    pdf.heading("Need for change")
    pdf.paragraph(report.project.need or "Not yet written (a lead sets it with /plan need).")


def _plan(pdf: _ReportPdf, report: PartnershipReport) -> None:
    pdf.heading("The plan")
    if not report.stages:
        pdf.paragraph("No stages yet.")
        return
    done = sum(1 for stage in report.stages if stage.status == StageStatus.DONE)
    pdf.paragraph(f"{done} of {len(report.stages)} stages done.")
    zone = ZoneInfo(report.project.timezone)
    pdf.rows(
        ("Stage", "Status", "Due", "Completed", "Outcome"),
        [_stage_row(stage, zone) for stage in report.stages],
        (55, 22, 24, 24, 65),
    )


def _stage_row(stage: Stage, zone: ZoneInfo) -> tuple[str, ...]:
    return (
        f"{stage.position}. {stage.title}",
        stage.status,
        _short_day(stage.due_on) if stage.due_on else "",
        _local_day(stage.completed_at, zone, short=True)
        if stage.status == StageStatus.DONE
        else "",
        stage.outcome or "",
    )


def _measures(pdf: _ReportPdf, report: PartnershipReport) -> None:
    pdf.heading("Measures")
    measured = [series for series in report.evaluation.series if series.observations]
    if not measured:
        pdf.paragraph("No measure has any points yet.")
        return
    judged = [(series, series.chart()) for series in measured]
    pdf.rows(
        ("Measure", "Latest", "Target", "Variation", "Assurance"),
        [_measure_row(series, chart) for series, chart in judged],
        (50, 30, 25, 50, 35),
    )
    for series, chart in judged:
        png = chart_png(series, chart, report.evaluation.completed)
        pdf.subheading(series.measure.name)
        description = printable(pdf, chart_description(series, chart))
        pdf.image(BytesIO(png), w=_CHART_WIDTH, keep_aspect_ratio=True, alt_text=description)
        pdf.ln(2)


def _measure_row(series: MeasureSeries, chart: ProcessChart) -> tuple[str, ...]:
    unit, latest, target = series.measure.unit, series.latest, series.measure.target
    return (
        series.measure.name,
        f"{plain_figure(latest.value, unit)} ({_short_day(latest.day)})" if latest else "",
        plain_figure(target, unit) if target is not None else "none",
        variation_words(chart),
        assurance_words(chart),
    )


def _concerns(pdf: _ReportPdf, report: PartnershipReport) -> None:
    pdf.heading("Concerns raised")
    if not report.concerns:
        pdf.paragraph("No concern has been raised against the principles.")
        return
    zone = ZoneInfo(report.project.timezone)
    for principle, concerns in report.concerns.items():
        pdf.subheading(f"Principle {principle}")
        for concern in concerns:
            pdf.paragraph(f"Raised {_local_day(concern.created_at, zone)}: {concern.text}")
            pdf.paragraph(_resolution(concern, zone), italic=True)


def _resolution(concern: Concern, zone: ZoneInfo) -> str:
    if concern.status == ConcernStatus.RESOLVED:
        when = _local_day(concern.resolved_at, zone)
        return f"Resolved {when}: {concern.resolution_note or 'no note given'}"
    if concern.status == ConcernStatus.ACKNOWLEDGED:
        return f"Acknowledged {_local_day(concern.acknowledged_at, zone)}; not yet resolved."
    if concern.status == ConcernStatus.WITHDRAWN:
        return "Withdrawn by the person who raised it."
    return "Open: not yet acknowledged."


def _you_said_we_did(pdf: _ReportPdf, report: PartnershipReport) -> None:
    pdf.heading("You said, we did")
    if not report.you_said_we_did:
        pdf.paragraph(NO_YOU_SAID_WE_DID)
    zone = ZoneInfo(report.project.timezone)
    for pair in report.you_said_we_did:
        pdf.subheading(_local_day(pair.published_at, zone))
        pdf.paragraph(f"You said: {pair.you_said}")
        pdf.paragraph(f"We did: {pair.we_did}", italic=True)


def _reflections(pdf: _ReportPdf, report: PartnershipReport) -> None:
    pdf.heading("Reflections of each side")
    by_side = report.evaluation.reflections_by_side
    if not by_side:
        pdf.paragraph("No check-in has had a reflection yet.")
    for side, reflections in by_side.items():
        pdf.subheading(f"{side_heading(side)} ({len(reflections)})")
        for reflection in reflections:
            pdf.paragraph(_reflection(reflection))


def _reflection(reflection: Reflection) -> str:
    said = [_day(reflection.day)]
    if reflection.working:
        said.append(f"Working: {reflection.working}")
    if reflection.not_working:
        said.append(f"Not working: {reflection.not_working}")
    return "\n".join(said)


def _local_day(instant: datetime | None, zone: ZoneInfo, *, short: bool = False) -> str:
    if instant is None:
        return ""
    day = instant.astimezone(zone).date()
    return _short_day(day) if short else _day(day)


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
