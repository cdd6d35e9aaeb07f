"""Schedule text into a `ScheduleSpec`, back into canonical text and words, and its errors."""

from datetime import date, time

import pytest

from bot.errors import InvalidInput
from bot.parsing.schedule import SCHEDULE_FORMS, ScheduleSpec, parse_schedule, split_schedule

NINE = time(9, 0)


@pytest.mark.parametrize(
    ("text", "spec", "canonical", "described"),
    [
        ("daily 09:00", ScheduleSpec("daily", NINE), "daily 09:00", "every day at 09:00"),
        (
            "weekdays 9:00",
            ScheduleSpec("weekdays", NINE),
            "weekdays 09:00",
            "every weekday at 09:00",
        ),
        (
            "weekly fri 15:00",
            ScheduleSpec("weekly", time(15, 0), weekday=4),
            "weekly fri 15:00",
            "every Friday at 15:00",
        ),
        (
            "fortnightly Friday 15:00",
            ScheduleSpec("fortnightly", time(15, 0), weekday=4),
            "fortnightly fri 15:00",
            "every other Friday at 15:00",
        ),
        (
            "monthly 3 09:00",
            ScheduleSpec("monthly", NINE, day_of_month=3),
            "monthly 3 09:00",
            "on the 3rd of every month at 09:00",
        ),
        (
            "on 2027-03-01 09:00",
            ScheduleSpec("once", NINE, on=date(2027, 3, 1)),
            "on 2027-03-01 09:00",
            "on Monday 1 March 2027 at 09:00",
        ),
    ],
)
def test_every_form_parses_and_reads_back(text, spec, canonical, described):
    parsed = parse_schedule(text)
    assert parsed == spec
    assert parsed.canonical() == canonical
    assert parsed.describe() == described
    assert parse_schedule(parsed.canonical()) == parsed


@pytest.mark.parametrize(
    ("day", "weekday"),
    [
        ("mon", 0),
        ("TUE", 1),
        ("Wednesday", 2),
        ("thursday", 3),
        ("FRI", 4),
        ("saturday", 5),
        ("Sun", 6),
    ],
)
def test_days_are_short_or_full_names_in_any_case(day, weekday):
    assert parse_schedule(f"weekly {day} 08:30").weekday == weekday


def test_the_first_word_is_read_in_any_case_and_spaces_do_not_matter():
    assert parse_schedule("  MONTHLY   28  23:59 ") == ScheduleSpec(
        "monthly", time(23, 59), day_of_month=28
    )


@pytest.mark.parametrize(
    ("day", "ordinal"), [(1, "1st"), (2, "2nd"), (11, "11th"), (12, "12th"), (22, "22nd")]
)
def test_monthly_days_are_described_as_ordinals(day, ordinal):
    assert parse_schedule(f"monthly {day} 09:00").describe().startswith(f"on the {ordinal} of")


def test_split_takes_the_schedule_off_the_front_and_keeps_the_rest():
    spec, rest = split_schedule("weekly mon 09:00  Monthly ward  review ")
    assert spec == ScheduleSpec("weekly", NINE, weekday=0)
    assert rest == "Monthly ward  review "


def test_split_with_nothing_after_the_schedule_leaves_no_rest():
    assert split_schedule("on 2027-03-01 09:00") == (
        ScheduleSpec("once", NINE, on=date(2027, 3, 1)),
        "",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "The schedule is missing."),
        ("hourly 09:00", "`hourly` is not a schedule."),
        ("daily 25:00", "`25:00` is not a time of day"),
        ("daily 09:60", "`09:60` is not a time of day"),
        ("daily 9am", "`9am` is not a time of day"),
        ("weekly frday 09:00", "`frday` is not a day of the week"),
        ("weekly 09:00 ward", "`09:00` is not a day of the week"),
        ("monthly 29 09:00", "`29` is not a day of the month every month has: pick 1 to 28."),
        ("monthly 0 09:00", "`0` is not a day of the month"),
        ("on 2027-02-30 09:00", "`2027-02-30` is not a day on the calendar."),
        ("on 1/3/2027 09:00", "`1/3/2027` is not a date: write it as YYYY-MM-DD."),
        ("weekly fri", "`weekly fri` is missing something: write `weekly DAY HH:MM`."),
        ("daily", "`daily` is missing something: write `daily HH:MM`."),
        ("daily 09:00 and more", "`and more` after the time is not part of a schedule."),
    ],
)
def test_errors_say_what_was_wrong_and_list_the_forms(text, problem):
    with pytest.raises(InvalidInput) as raised:
        parse_schedule(text)
    assert raised.value.message.startswith(problem)
    assert raised.value.message.endswith(f"A schedule is one of: {SCHEDULE_FORMS}.")


def test_split_refuses_the_same_mistakes():
    with pytest.raises(InvalidInput, match="`frday` is not a day of the week"):
        split_schedule("fortnightly frday 09:00 Ward review")


def test_user_text_in_errors_is_shown_decoded():
    with pytest.raises(InvalidInput, match="`<soon>` after the time"):
        parse_schedule("daily 09:00 &lt;soon&gt;")


def test_the_forms_line_lists_every_form():
    for form in ("daily HH:MM", "weekdays HH:MM", "weekly DAY HH:MM", "fortnightly DAY HH:MM"):
        assert f"`{form}`" in SCHEDULE_FORMS
    assert "`monthly N HH:MM` (N = 1–28)" in SCHEDULE_FORMS
    assert "`on YYYY-MM-DD HH:MM` (once)" in SCHEDULE_FORMS


def test_a_spec_whose_fields_do_not_fit_its_kind_is_refused():
    with pytest.raises(ValueError, match="weekly"):
        ScheduleSpec("weekly", NINE)
    with pytest.raises(ValueError, match="daily"):
        ScheduleSpec("daily", NINE, on=date(2027, 3, 1))
