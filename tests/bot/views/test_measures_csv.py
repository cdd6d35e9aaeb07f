"""`measures.csv` as SPEC §8 describes it, row for row what the statistics say."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from bot.services.process_control import Direction, analyse
from bot.views.measures_csv import COLUMNS, measures_csv, plain_decimal

HEADER = "measure,date,value,mean,lower_process_limit,upper_process_limit,variation"
# The pack's "Process limits - 15": mean 23.20, limits 8.76 and 37.64.
FIFTEEN = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]


def _chart(values: list[float], direction: Direction = Direction.HIGHER):
    start = date(2024, 1, 29)
    return analyse([(start + timedelta(days=n), float(v)) for n, v in enumerate(values)], direction)


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def test_the_header_is_exactly_that_of_the_spec():
    content = measures_csv([("Falls", _chart(FIFTEEN))])
    assert content.decode("utf-8").split("\r\n")[0] == HEADER
    assert ",".join(COLUMNS) == HEADER


def test_rows_are_ordered_by_measure_then_date():
    content = measures_csv([("waiting time", _chart(FIFTEEN)), ("Falls", _chart([3, 4]))])
    rows = _rows(content)
    assert [row["measure"] for row in rows] == ["Falls"] * 2 + ["waiting time"] * 15
    dates = [row["date"] for row in rows[2:]]
    assert dates == sorted(dates)
    assert rows[0]["date"] == "2024-01-29"


def test_rows_match_the_statistics():
    chart = _chart(FIFTEEN)
    rows = _rows(measures_csv([("Falls", chart)]))
    assert len(rows) == len(chart.points)
    for row, point in zip(rows, chart.points, strict=True):
        assert row["date"] == point.date.isoformat()
        assert float(row["value"]) == point.value
        assert float(row["mean"]) == pytest.approx(point.mean, abs=1e-6)
        assert float(row["lower_process_limit"]) == pytest.approx(point.lower_limit, abs=1e-6)
        assert float(row["upper_process_limit"]) == pytest.approx(point.upper_limit, abs=1e-6)
        assert row["variation"] == point.variation
    assert (rows[0]["mean"], rows[0]["lower_process_limit"], rows[0]["upper_process_limit"]) == (
        "23.2",
        "8.76",
        "37.64",
    )
    assert {row["variation"] for row in rows} == {"common cause"}


def test_variation_is_written_in_words():
    special = _chart([10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 40], Direction.NEITHER)
    concern = _chart([10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 40], Direction.LOWER)
    rows = _rows(measures_csv([("a", special), ("b", concern)]))
    assert [rows[12]["variation"], rows[25]["variation"]] == ["special cause", "concern"]


def test_below_13_points_the_mean_is_given_and_the_limits_and_variation_are_blank():
    rows = _rows(measures_csv([("Falls", _chart(FIFTEEN[:12]))]))
    assert len(rows) == 12
    for row in rows:
        assert row["mean"] == "23.416667"
        assert (row["lower_process_limit"], row["upper_process_limit"], row["variation"]) == (
            "",
            "",
            "",
        )


@pytest.mark.parametrize(
    ("number", "text"),
    [(23.2, "23.2"), (1e-7, "0"), (-1e-7, "0"), (1234567.0, "1234567"), (2.5e-5, "0.000025"),
     (-4.0, "-4"), (1e16, "10000000000000000"), (2 / 3, "0.666667")],
)  # fmt: skip
def test_numbers_are_plain_decimals(number, text):
    assert plain_decimal(number) == text


def test_a_formula_like_name_is_neutralised():
    rows = _rows(measures_csv([("=HYPERLINK(1)", _chart([3, 4])), ("-5 falls", _chart([-5]))]))
    assert {row["measure"] for row in rows} == {"'=HYPERLINK(1)", "'-5 falls"}
    assert rows[0]["value"] == "-5"


def test_no_measures_give_the_header_alone():
    assert measures_csv([]) == (HEADER + "\r\n").encode()
