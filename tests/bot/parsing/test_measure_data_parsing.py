"""Pasted data points: every separator SPEC §8 allows, and every kind of bad line named."""

from datetime import date

import pytest

from bot.errors import InvalidInput
from bot.parsing.measure_data import parse_points


def _refusal(text: str) -> str:
    with pytest.raises(InvalidInput) as refused:
        parse_points(text)
    return refused.value.message


def test_commas_tabs_and_spaces_separate_a_date_from_its_value():
    text = "2027-01-04, 12\n2027-01-11\t14.5\n2027-01-18    -3\n2027-01-25,1,200\n2027-02-01 95%"
    assert parse_points(text) == [
        (date(2027, 1, 4), 12.0),
        (date(2027, 1, 11), 14.5),
        (date(2027, 1, 18), -3.0),
        (date(2027, 1, 25), 1200.0),
        (date(2027, 2, 1), 95.0),
    ]


def test_blank_lines_and_surrounding_spaces_are_skipped():
    assert parse_points("\n  2027-01-04 12  \n\n\r\n2027-01-11 13\n") == [
        (date(2027, 1, 4), 12.0),
        (date(2027, 1, 11), 13.0),
    ]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("2027-01-11", "line 2 has no value after its date"),
        ("2027-01-11,", "line 2 has no value after its date"),
        ("11/01/2027 12", "line 2 does not start with a date as `YYYY-MM-DD`"),
        ("2027-02-30 12", "line 2 does not start with a date as `YYYY-MM-DD`"),
        ("twelve", "line 2 does not start with a date as `YYYY-MM-DD`"),
        ("2027-01-11 twelve", "line 2 has a value that is not a number"),
        ("2027-01-11 12 days", "line 2 has something after its value"),
        ("2027-01-04 13", "line 2 repeats the date of line 1"),
    ],
)
def test_each_kind_of_bad_line_is_named_with_its_number(line, said):
    assert said in _refusal(f"2027-01-04 12\n{line}\n2027-01-18 14")


def test_one_refusal_names_every_bad_line_and_stores_nothing():
    text = "2027-01-04 12\nnope\n2027-01-18 14\n\n2027-01-25\n2027-02-01 x"
    said = _refusal(text)
    assert said.startswith("Nothing was stored. Fix lines 2, 5, 6:")
    assert "line 2 does not start" in said
    assert "line 5 has no value" in said
    assert "line 6 has a value that is not a number" in said


def test_past_five_bad_lines_the_rest_are_counted_but_every_number_is_listed():
    said = _refusal("\n".join(f"bad {n}" for n in range(1, 9)))
    assert "Fix lines 1, 2, 3, 4, 5, 6, 7, 8:" in said
    assert "; and 3 more." in said


def test_an_empty_paste_asks_for_a_line():
    assert "Paste at least one line" in _refusal("  \n\n")
