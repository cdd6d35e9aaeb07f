"""The evaluation report: run charts as pictures, figures as text, reflections by role."""

import json
from datetime import date
from io import BytesIO

import numpy as np
from matplotlib.image import imread

from bot.console.blockcheck import block_kit_problems
from bot.services.checkins import EvaluationReport, Point, Reflection, Series
from bot.views.charts import MEDIAN_COLOUR, TARGET_COLOUR, VALUE_COLOUR, run_chart
from bot.views.reports import chart_upload, measure_figures, report_summary
from storage.models import Measure, Project

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _measure(**fields):
    values = {"name": "Waiting time", "unit": "days", "target": 14.0, "higher_is_better": False}
    values.update(fields)
    return Measure(id=1, project_id=1, **values)


def _series(*values, **measure):
    points = [Point(date(2027, 1, 4 + 7 * n), value, 1) for n, value in enumerate(values)]
    return Series(_measure(**measure), points, {"management": 1, "staff": 2, "service-user": 1})


def _pixels_of(png: bytes, colour: str) -> int:
    """How many pixels of the picture are (nearly) `colour`."""
    image = imread(BytesIO(png))[..., :3]
    wanted = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image - wanted).max(axis=-1) < 0.05).sum())


def test_the_run_chart_is_a_png_showing_the_values_the_target_and_the_median():
    png = run_chart(_series(22, 19.5, 16, 15))
    assert png.startswith(PNG_SIGNATURE)
    assert _pixels_of(png, VALUE_COLOUR) > 500
    assert _pixels_of(png, TARGET_COLOUR) > 300
    assert _pixels_of(png, MEDIAN_COLOUR) > 100


def test_a_measure_without_a_target_draws_no_target_line():
    png = run_chart(_series(3, 4, target=None))
    assert _pixels_of(png, VALUE_COLOUR) > 500
    assert _pixels_of(png, TARGET_COLOUR) == 0


def test_one_value_and_dollar_signs_in_names_still_chart():
    png = run_chart(_series(82.5, name="Cost in $ per $ bed", unit="$"))
    assert png.startswith(PNG_SIGNATURE)


def test_the_figures_give_latest_change_since_first_median_and_responses_by_role():
    text = measure_figures(_series(22, 19.5, 16, 15))
    assert "*Waiting time* · in days · target 14 days · lower is better" in text
    assert "Latest *15 days* (25 Jan 2027)" in text
    assert "change since first *−7 days* (from 22 days on 4 Jan 2027), better" in text
    assert "median 17.75 days" in text
    assert "4 check-ins; responses by role: management 1, staff 2, service-user 1" in text


def test_a_rise_in_a_higher_is_better_measure_is_better_and_a_flat_one_no_change():
    assert "*+2%*" in measure_figures(_series(80, 82, unit="%", higher_is_better=True))
    assert ", better" in measure_figures(_series(80, 82, unit="%", higher_is_better=True))
    assert ", worse" in measure_figures(_series(80, 82))
    assert "no change since the first (4 Jan 2027)" in measure_figures(_series(5, 5))
    assert "No values recorded yet." in measure_figures(_series())


def test_the_upload_is_named_after_the_measure_and_carries_its_figures():
    upload = chart_upload(_series(22, 15, name="A&E waits / week"))
    assert upload.filename == "a-e-waits-week-run-chart.png"
    assert upload.title == "A&E waits / week: run chart"
    assert upload.content.startswith(PNG_SIGNATURE)
    assert "A&amp;E waits" in upload.comment
    assert "Latest *15 days*" in upload.comment


def test_the_summary_counts_reflections_by_role_and_quotes_anonymous_ones_without_a_name():
    report = EvaluationReport(
        project=Project(id=1, team_id="T1", channel_id="C1", name="new-ward"),
        series=[_series(22, 15), _series(name="Beds in use")],
        responses_by_role={"management": 1, "staff": 2, "service-user": 1},
        reflections_by_role={"staff": 1, "service-user": 1},
        latest_reflections=[
            Reflection("service-user", None, date(2027, 1, 11), "I was seen <!here> sooner", ""),
            Reflection("staff", "U2", date(2027, 1, 4), "", "Night gaps"),
        ],
    )
    message = report_summary(report)
    assert block_kit_problems(message.blocks, surface="message") == []
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "*Responses by role:* management 1, staff 2, service-user 1" in text
    assert "*Reflections by role:* staff 1, service-user 1" in text
    assert "_service-user view, anonymous, 11 Jan 2027_" in text
    assert ">I was seen &lt;!here&gt; sooner" in text
    assert "_staff view, <@U2>, 4 Jan 2027_" in text
    assert "No values yet for Beds in use." in text
