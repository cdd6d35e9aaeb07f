"""The evaluation report: each chart and summary line, measures.csv, reflections by side."""

import json
from datetime import date, timedelta

from bot.console.blockcheck import block_kit_problems
from bot.services.evaluation import EvaluationReport, Reflection, StageMarker
from bot.services.measures import MeasureSeries, Observation
from bot.views.measures_csv import COLUMNS
from bot.views.reports import chart_upload, csv_upload, report_summary, summary_line
from storage.models import Measure, Project

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = date(2027, 1, 4)
STEADY = [20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 23, 20]


def _measure(**fields):
    values = {"name": "Waiting time", "unit": "days", "target": 14.0, "direction": "lower"}
    values.update(fields)
    return Measure(id=1, project_id=1, **values)


def _series(*values, figures=0, **measure):
    observations = [
        Observation(START + timedelta(weeks=n), value, figures) for n, value in enumerate(values)
    ]
    return MeasureSeries(_measure(**measure), observations, rule_length=6)


def test_below_13_points_the_line_gives_the_mean_and_says_when_limits_come():
    series = _series(22, 19.5, 16, 15)
    line = summary_line(series, series.chart())
    assert line == (
        "*Waiting time* · latest *15 days* (25 Jan 2027) · mean 18.12 days · "
        "4 of 13 points: process limits come at 13 · assurance: not yet assured"
    )


def test_from_13_points_the_line_gives_limits_variation_and_assurance():
    series = _series(*STEADY)
    chart = series.chart()
    line = summary_line(series, chart)
    assert (round(chart.points[-1].lower_limit, 2), round(chart.points[-1].upper_limit, 2)) == (
        16.06,
        26.7,
    )
    assert "mean 21.38 days · process limits 16.06 days to 26.7 days" in line
    assert "common cause variation" in line
    assert "assurance: consistently failing" in line  # 14 days lies below every limit


def test_a_rate_of_small_decimals_reads_as_its_figures_not_as_zero():
    rates = [0.0012, 0.0013, 0.0011, 0.0012] * 3 + [0.0014]
    series = _series(*rates, unit="falls per bed day", target=0.001)
    line = summary_line(series, series.chart())
    assert "latest *0.0014 falls per bed day*" in line
    assert "mean 0.0012 falls per bed day" in line
    assert "process limits 0.00091 falls per bed day to 0.0015 falls per bed day" in line


def test_a_point_from_several_check_in_figures_says_it_is_their_mean():
    series = _series(12, 15, figures=3, target=None, direction="neither")
    line = summary_line(series, series.chart())
    assert "(11 Jan 2027, the mean of 3 figures)" in line
    assert "assurance: no target" in line


def test_the_chart_upload_is_named_after_the_measure_and_carries_its_line():
    series = _series(*STEADY, name="A&E waits / week")
    upload = chart_upload(series, series.chart(), [StageMarker(START, "1. New rota")])
    assert upload.filename == "a-e-waits-week-chart.png"
    assert upload.title == "A&E waits / week: process chart"
    assert upload.content.startswith(PNG_SIGNATURE)
    assert "*A&amp;E waits / week* · latest" in upload.comment


def test_the_csv_holds_every_point_under_the_spec_header():
    series = _series(22, 15)
    upload = csv_upload([(series, series.chart())])
    lines = upload.content.decode().splitlines()
    assert upload.filename == "measures.csv"
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1:] == ["Waiting time,2027-01-04,22,18.5,,,", "Waiting time,2027-01-11,15,18.5,,,"]


def test_the_summary_quotes_each_sides_reflections_and_anonymous_ones_without_a_name():
    report = EvaluationReport(
        project=Project(id=1, team_id="T1", channel_id="C1", name="new-ward"),
        series=[_series(22, 15), _series(name="Beds in use")],
        responses_by_role={"management": 1, "staff": 2, "service-user": 1},
        reflections=[
            Reflection("staff", "U2", date(2027, 1, 4), "", "Night gaps"),
            Reflection("service-user", None, date(2027, 1, 11), "I was seen <!here> sooner", ""),
        ],
        completed=[],
    )
    message = report_summary(report)
    assert block_kit_problems(message.blocks, surface="message") == []
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "*Responses by role:* management 1, staff 2, service-user 1" in text
    assert text.index("*The staff side* (1 reflection)") < text.index("*The service-user side*")
    assert "_anonymous, 11 Jan 2027_" in text
    assert ">I was seen &lt;!here&gt; sooner" in text
    assert "_<@U2>, 4 Jan 2027_" in text
    assert "No points yet for Beds in use." in text
