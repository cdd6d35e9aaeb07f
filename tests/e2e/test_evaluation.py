"""Evaluation end to end (SPEC §8): pasted data, the Making Data Count report, a rebase, removal,
and the partnership report's PDF, all through the real app over HTTP."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
import time_machine
from pypdf import PdfReader
from sqlmodel import Session, select

from bot.console.form import fields, state_values
from bot.services.process_control import Direction, analyse
from bot.views.measures_csv import measures_csv
from storage.models import Measure, MeasurePoint

from .conftest import CHANNEL, LEAD, PARTNER, Workspace, wait_until
from .test_checkin_slice import MONDAY, USER_REP, _answer, _schedule_and_fire

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = date(2026, 6, 1)
DATA = "measure_data"


def _weekly(values: list[float], start: date = START) -> list[tuple[date, float]]:
    return [(start + timedelta(weeks=n), value) for n, value in enumerate(values)]


def _lines(points: list[tuple[date, float]], separator: str = " ") -> str:
    return "\n".join(f"{day.isoformat()}{separator}{value:g}" for day, value in points)


def _paste(workspace: Workspace, text: str, *, name: str = "Waiting time") -> dict:
    """Open the data form for `name`, paste `text`, and give back the form's answer."""
    opened = len(workspace.standin.calls_to("views.open"))
    workspace.command("/checkin", f"measure data {name}")
    form = workspace.opened_view(opened + 1)
    (field,) = [f for f in fields(form) if f.block_id == DATA]
    values = state_values([(field, {"type": field.kind, "value": text})])
    return workspace.submit(form, values).json()


def _stored_points(workspace: Workspace) -> list[tuple[date, float]]:
    with Session(workspace.runtime.engine) as session:
        query = select(MeasurePoint).order_by(MeasurePoint.day)
        return [(point.day, point.value) for point in session.exec(query)]


def _files(workspace: Workspace, ending: str) -> list[dict]:
    """The files shared so far (uploaded and completed) whose names end with `ending`."""
    return [
        f
        for f in workspace.standin.files.values()
        if f["filename"].endswith(ending) and f["channel_id"] is not None
    ]


def _report(workspace: Workspace) -> list[list[str]]:
    """Run `/checkin report` and give back the rows of the `measures.csv` it shared."""
    shared = len(_files(workspace, "measures.csv"))
    assert "is in the channel" in workspace.reply("/checkin", "report").text
    wait_until(
        lambda: len(_files(workspace, "measures.csv")) > shared,
        what="measures.csv",
    )
    table = _files(workspace, "measures.csv")[-1]
    return list(csv.reader(io.StringIO(table["content"].decode())))


def _expected_rows(points, **options) -> list[list[str]]:
    chart = analyse(points, Direction.LOWER, target=14.0, **options)
    return list(csv.reader(io.StringIO(measures_csv([("Waiting time", chart)]).decode())))


def _add_measure(workspace: Workspace) -> None:
    added = workspace.command(
        "/checkin", "measure add Waiting time unit days target 14 lower-is-better"
    )
    assert "Added the measure" in added.text


def test_a_paste_with_bad_lines_is_refused_whole_naming_every_bad_line(workspace):
    _add_measure(workspace)
    good = _weekly([20, 21])
    text = f"{_lines(good[:1])}\n2026-06-08\n{_lines(good[1:])}\n2026-13-01 4\n2026-06-22 x"
    answer = _paste(workspace, text)
    assert answer["response_action"] == "errors"
    said = answer["errors"][DATA]
    assert said.startswith("Nothing was stored. Fix lines 2, 4, 5:")
    assert "line 2 has no value after its date" in said
    assert "line 4 does not start with a date" in said
    assert "line 5 has a value that is not a number" in said
    assert _stored_points(workspace) == []

    refused = workspace.command("/checkin", "measure data Waiting time", user=PARTNER)
    assert "Only a project lead can add a measure's data" in refused.text
    assert "no measure called “Beds”" in workspace.command("/checkin", "measure data Beds").text


def test_a_figure_too_large_to_chart_is_refused_and_the_report_still_works(workspace):
    _add_measure(workspace)
    good = _lines(_weekly([20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 23, 20]))
    huge = f"2026-09-07 1{'0' * 308}"
    answer = _paste(workspace, f"{good}\n{huge}")
    assert answer["response_action"] == "errors"
    assert "at most 1,000,000,000,000 either side of zero" in answer["errors"][DATA]
    assert _stored_points(workspace) == []
    _paste(workspace, good)
    assert len(_report(workspace)) == 14


def test_a_good_paste_then_the_report_shares_a_chart_its_line_and_a_csv_that_matches(workspace):
    _add_measure(workspace)
    points = _weekly([20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 23, 20, 17, 16, 15])
    answer = _paste(workspace, _lines(points[:14], ", ") + "\n")
    assert answer["response_action"] == "update"
    assert "14 points added, 0 points replaced" in json.dumps(answer["view"])
    # A second paste: two dates already held are replaced, two are new.
    corrected = [(points[12][0], 19.0), (points[13][0], 18.0), *points[14:]]
    points[12], points[13] = corrected[0], corrected[1]
    answer = _paste(workspace, _lines(corrected, "\t"))
    assert "2 points added, 2 points replaced" in json.dumps(answer["view"])
    assert _stored_points(workspace) == points

    rows = _report(workspace)
    assert rows == _expected_rows(points)
    assert rows[-1][4:] != ["", "", ""]  # 16 points: limits and variation are given
    (png,) = _files(workspace, ".png")
    assert png["content"].startswith(PNG_SIGNATURE)
    assert png["channel_id"] == CHANNEL
    chart = analyse(points, Direction.LOWER, target=14.0)
    lower, upper = chart.points[-1].lower_limit, chart.points[-1].upper_limit
    comment = png["initial_comment"]
    assert "*Waiting time* · latest *15 days* (14 Sep 2026)" in comment
    assert f"process limits {lower:.2f} days to {upper:.2f} days" in comment
    assert "assurance: consistently failing" in comment
    # A screen reader in Slack reads the chart's description in place of the picture.
    assert png["alt_txt"].startswith(
        "Process chart of Waiting time, 16 points from 1 Jun 2026 to 14 Sep 2026: latest 15 days"
    )
    listed = json.dumps(workspace.command("/checkin", "measure list").json(), ensure_ascii=False)
    assert "lower is better · 16 points · latest 15 days (14 Sep 2026)" in listed


def test_a_rebase_recalculates_the_limits_from_its_date(workspace):
    _add_measure(workspace)
    points = _weekly([20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 23, 20] + [10, 12, 11, 13] * 4)
    _paste(workspace, _lines(points))
    before = _report(workspace)
    assert len({tuple(row[3:6]) for row in before[1:]}) == 1  # one mean and one set of limits

    on = points[13][0]
    rebased = workspace.command("/checkin", f"measure rebase waiting time {on.isoformat()}")
    assert "computed separately before 31 Aug 2026 and from 31 Aug 2026 on" in rebased.text
    after = _report(workspace)
    assert after == _expected_rows(points, recalculation=on)
    assert after[1:14] != before[1:14]  # the first period's mean and limits are its own now
    assert {tuple(row[3:6]) for row in after[14:]} != {tuple(row[3:6]) for row in after[1:14]}
    assert after[14][3] == "11.5"

    workspace.command("/checkin", "measure rebase Waiting time none")
    assert _report(workspace) == before
    refused = workspace.command("/checkin", f"measure rebase Waiting time {on}", user=PARTNER)
    assert "Only a project lead can rebase a measure" in refused.text


def test_a_rebase_from_the_first_point_still_reports_one_set_of_limits(workspace):
    _add_measure(workspace)
    points = _weekly([20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 23, 20, 17])
    _paste(workspace, _lines(points))
    rebased = workspace.command("/checkin", f"measure rebase Waiting time {START.isoformat()}")
    assert "has no point before 1 Jun 2026, so its mean and limits are still computed" in (
        rebased.text
    )
    assert _report(workspace) == _expected_rows(points)
    ahead = workspace.command("/checkin", "measure rebase Waiting time 2027-03-01")
    assert "points so far are all before 1 Mar 2027" in ahead.text


def test_remove_asks_for_confirmation_then_removes_the_measure_and_its_points(workspace):
    _add_measure(workspace)
    _paste(workspace, _lines(_weekly([20, 21, 22])))
    asked = workspace.command("/checkin", "measure remove Waiting time")
    blocks = asked.json()["blocks"]
    (button,) = [e for b in blocks for e in b.get("elements", []) if e.get("type") == "button"]
    assert button["confirm"]["confirm"]["text"] == "Remove"
    assert _stored_points(workspace)  # nothing removed until the dialog is confirmed

    refused = workspace.command("/checkin", "measure remove Waiting time", user=PARTNER)
    assert "Only a project lead can remove measures" in refused.text
    ephemeral = {"message_ts": "1700000000.000100", "blocks": blocks}
    assert workspace.press(ephemeral, "remove_measure").status == 200
    (said,) = workspace.standin.wait_for("response_url")
    assert "Removed the measure *Waiting time* and its points" in json.dumps(said.args)
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(Measure)).all() == []
    assert _stored_points(workspace) == []
    assert "No measures yet" in workspace.command("/checkin", "measure list").text


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=True) as traveller:
        yield traveller


def _resolve_a_concern(workspace: Workspace) -> None:
    workspace.command("/concern", "5 We were not told about the new rota", user=PARTNER)

    def cards() -> list[dict]:
        return [
            m for m in workspace.standin.messages(CHANNEL) if "concern_resolve" in json.dumps(m)
        ]

    wait_until(lambda: bool(cards()), what="the concern's card")
    card = cards()[0]
    opened = len(workspace.standin.calls_to("views.open"))
    workspace.press(card, "concern_resolve")
    form = workspace.opened_view(opened + 1)
    note = [
        (f, {"type": f.kind, "value": "Rota now shared a month ahead"})
        for f in fields(form)
        if f.block_id == "note"
    ]
    assert workspace.submit(form, state_values(note)).body == ""


def test_the_partnership_report_is_a_pdf_with_every_section_sent_to_the_lead(
    workspace, clock, tmp_path
):
    workspace.command("/plan", "need Patients wait too long for a bed")
    post = _schedule_and_fire(workspace, clock)
    _answer(workspace, LEAD, post, value="22", role="management", working="Calmer handovers")
    _answer(
        workspace,
        USER_REP,
        post,
        value="18",
        role="service-user",
        anonymous=True,
        working="I was seen sooner",
    )
    _paste(workspace, _lines(_weekly([24, 23, 25, 22], start=date(2027, 2, 1))))
    workspace.stage("add Open the discharge lounge")
    workspace.stage("add Hire two nurses")
    workspace.stage("done 1 Lounge open seven days a week")
    _resolve_a_concern(workspace)

    assert "Only a project lead" in workspace.command("/plan", "report", user=PARTNER).text
    assert "on its way to you as a PDF" in workspace.reply("/plan", "report").text
    wait_until(
        lambda: bool(_files(workspace, ".pdf")),
        what="the PDF",
    )
    (pdf,) = _files(workspace, ".pdf")
    assert pdf["channel_id"].startswith("D")  # privately, in a direct message
    assert pdf["filename"] == "new-ward-partnership-report-2027-03-15.pdf"
    (tmp_path / "report.pdf").write_bytes(pdf["content"])
    reader = PdfReader(io.BytesIO(pdf["content"]))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    for expected in (
        "Partnership report",
        "new-ward",
        "Prepared on 15 March 2027",
        "Period: 15 March 2027 to 15 March 2027",
        "Need for change",
        "Patients wait too long for a bed",
        "The plan",
        "Open the discharge lounge",
        "Lounge open seven days a week",
        "Measures",
        "Waiting time",
        "Variation",
        "Assurance",
        "Concerns raised",
        "Principle 5. Transparency",
        "We were not told about the new rota",
        "Rota now shared a month ahead",
        "You said, we did",
        "None yet",
        "Reflections of each side",
        "The management side",
        "Calmer handovers",
        "Anonymous answers (their side is not shown",
        "I was seen sooner",
    ):
        assert expected in text, expected
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert USER_REP not in text
    assert LEAD not in text
    assert any(page.images for page in reader.pages)  # the measure's chart
