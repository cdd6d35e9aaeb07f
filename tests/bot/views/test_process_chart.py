"""Making Data Count charts: PNGs for XmR and run charts, whatever the measure is called."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import numpy as np
import pytest
from matplotlib.image import imread

from bot.services.process_control import Direction, Variation, analyse
from bot.views.process_chart import VARIATION_COLOURS, process_chart, title_lines

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The pack's "Special cause crossing recalculations - trend": a rising trend across the date.
TREND = [28, 23, 26, 21, 23, 25, 24, 29, 30, 27, 25, 30, 27, 26, 19,
         22, 26, 28, 29, 33, 28, 30, 31, 30, 26, 27, 34, 30, 32, 35]  # fmt: skip
START = date(2024, 1, 1)


def _weekly(values: list[float]) -> list[tuple[date, float]]:
    return [(START + timedelta(weeks=n), float(value)) for n, value in enumerate(values)]


def _pixels_of(png: bytes, colour: str) -> int:
    """How many pixels of the picture are (nearly) `colour`."""
    image = imread(BytesIO(png))[..., :3]
    wanted = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image - wanted).max(axis=-1) < 0.05).sum())


def test_an_xmr_chart_with_a_recalculation_a_target_and_stages_is_a_png_in_its_colours():
    observations = _weekly(TREND)
    chart = analyse(observations, recalculation=observations[15][0], target=25.0)
    stages = [(date(2024, 4, 3), "New triage rota"), (date(2024, 6, 3), "Second nurse")]
    png = process_chart(chart, name="Seen within 4 hours", unit="%", stages=stages)
    assert png.startswith(PNG_SIGNATURE)
    assert _pixels_of(png, VARIATION_COLOURS[Variation.IMPROVEMENT]) > 200


def test_a_run_chart_below_13_points_is_a_png_without_variation_colours():
    chart = analyse(_weekly(TREND[:8]), Direction.LOWER, target=20.0)
    png = process_chart(
        chart, name="Waiting time", unit="days", stages=[(date(2024, 1, 20), "Rota")]
    )
    assert png.startswith(PNG_SIGNATURE)
    for variation in (Variation.IMPROVEMENT, Variation.CONCERN, Variation.SPECIAL_CAUSE):
        assert _pixels_of(png, VARIATION_COLOURS[variation]) == 0


def test_a_single_point_is_drawn():
    png = process_chart(analyse(_weekly([12.0])), name="Falls")
    assert png.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("name", ["$x$", "x" * 300, "Waiting 🎉 time", "$\\frac{$ 50% \\", "a\nb"])
def test_odd_names_and_stage_labels_are_drawn_as_text(name):
    observations = _weekly(TREND)
    chart = analyse(observations, Direction.NEITHER, target=25.0)
    png = process_chart(chart, name=name, unit=name, stages=[(date(2024, 3, 4), name)])
    assert png.startswith(PNG_SIGNATURE)


LONG_NAME = "Proportion of patients seen within four hours of arrival at the emergency department"


def test_a_long_title_stays_on_the_picture_and_keeps_which_way_is_better():
    png = process_chart(analyse(_weekly(TREND)), name=LONG_NAME, unit="per 1,000 attendances")
    image = imread(BytesIO(png))[..., :3]
    title_band_right_edge = image[:60, -12:]
    assert (title_band_right_edge.max(axis=-1) < 0.5).sum() == 0  # no text runs off the side
    lines = title_lines(LONG_NAME, "per 1,000 attendances", Direction.HIGHER)
    assert len(lines) == 2
    assert " ".join(lines).endswith("department (per 1,000 attendances): higher is better")
    overlong = title_lines("x" * 300, "days", Direction.LOWER)
    assert " ".join(overlong).endswith("x… (days): lower is better")


def test_a_recalculation_with_too_few_points_after_it_is_drawn():
    observations = _weekly(TREND[:16])
    chart = analyse(observations, recalculation=observations[14][0])
    assert chart.periods[0].limits is not None
    assert not chart.has_limits
    assert process_chart(chart, name="Falls").startswith(PNG_SIGNATURE)
