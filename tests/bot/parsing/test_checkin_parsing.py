"""`/checkin` text into typed requests, and figures as people type them."""

import re
from datetime import date, time

import pytest

from bot.errors import InvalidInput, UsageError
from bot.parsing.checkin import (
    CHECKIN,
    AddMeasure,
    ChangeCheckin,
    ListCheckins,
    ListMeasures,
    PasteData,
    RebaseMeasure,
    RemoveMeasure,
    Report,
    ScheduleAction,
    ScheduleCheckin,
    decimal_number,
    parse_checkin,
)
from bot.parsing.forms import ShowHelp
from bot.parsing.schedule import ScheduleSpec
from storage.models import MeasureDirection


@pytest.mark.parametrize("text", ["", "help", " HELP "])
def test_help_and_nothing_show_the_forms(text):
    assert parse_checkin(text) == ShowHelp()


def test_list_and_report():
    assert parse_checkin("list") == ListCheckins()
    assert parse_checkin("report") == Report()


def test_a_measure_with_every_option_in_any_order():
    expected = AddMeasure("Waiting time", "days", 14.0, MeasureDirection.LOWER)
    assert parse_checkin("measure add Waiting time unit days target 14 lower-is-better") == expected
    assert parse_checkin("measure add Waiting time lower-is-better target 14 unit days") == expected


def test_a_measure_with_only_a_name_is_higher_is_better_with_no_unit_or_target():
    assert parse_checkin("measure add Patients seen") == AddMeasure("Patients seen")


def test_option_words_inside_a_name_stay_in_the_name():
    request = parse_checkin("measure add Unit target completion rate unit %")
    assert request == AddMeasure("Unit target completion rate", "%")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("measure add Falls unit", "`unit` needs a value: `unit minutes`."),
        ("measure add Falls target 5 unit", "`unit` needs a value: `unit minutes`."),
        ("measure add Falls unit days target", "`target` needs a value: `target 14`."),
        ("measure add Falls target 5 neither higher-is-better", "Give one direction:"),
    ],
)
def test_an_option_given_wrong_is_refused_rather_than_put_in_the_name(text, said):
    with pytest.raises(UsageError, match=re.escape(said)) as refused:
        parse_checkin(text)
    assert refused.value.usage.startswith("`/checkin measure add NAME ")


def test_a_name_that_ends_in_an_option_word_takes_an_option_after_it():
    request = parse_checkin("measure add Beds free on the stroke unit higher-is-better")
    assert request == AddMeasure("Beds free on the stroke unit")
    request = parse_checkin("measure add Seen within target unit % target 95")
    assert request == AddMeasure("Seen within target", "%", 95.0)


def test_a_target_that_is_not_a_number_is_refused():
    with pytest.raises(InvalidInput, match="`soon` is not a number"):
        parse_checkin("measure add Waiting time target soon")


@pytest.mark.parametrize("text", ["measure add", "measure add unit days", "measure rename X"])
def test_a_measure_needs_a_known_form_and_a_name(text):
    with pytest.raises(UsageError) as refused:
        parse_checkin(text)
    assert "measure add NAME" in refused.value.usage


def test_schedule_takes_the_schedule_then_an_optional_title():
    assert parse_checkin("schedule weekly mon 09:00 Ward review &amp; beds") == ScheduleCheckin(
        ScheduleSpec("weekly", time(9, 0), weekday=0), "Ward review & beds"
    )
    assert parse_checkin("schedule on 2027-04-12 10:00") == ScheduleCheckin(
        ScheduleSpec("once", time(10, 0), on=date(2027, 4, 12)), None
    )


def test_a_bad_schedule_says_what_schedules_look_like():
    with pytest.raises(InvalidInput, match="A schedule is one of"):
        parse_checkin("schedule sometimes 09:00")
    with pytest.raises(UsageError, match="Say when"):
        parse_checkin("schedule")


def test_a_title_too_long_says_its_length_with_a_thousands_separator():
    with pytest.raises(InvalidInput, match="at most 200 characters; this one has 3,500"):
        parse_checkin("schedule daily 09:00 " + "x" * 3500)


@pytest.mark.parametrize("action", list(ScheduleAction))
def test_cancel_pause_and_resume_take_an_id(action):
    assert parse_checkin(f"{action} 7") == ChangeCheckin(action, 7)
    assert parse_checkin(f"{action} #7") == ChangeCheckin(action, 7)
    with pytest.raises(UsageError, match="is not a check-in id"):
        parse_checkin(f"{action} seven")
    with pytest.raises(UsageError, match=r"^Which check-in\? Give its id;") as missing:
        parse_checkin(f"{action}")
    assert f"/checkin {action} ID" in missing.value.usage


def test_an_unknown_subcommand_shows_every_form():
    with pytest.raises(UsageError) as refused:
        parse_checkin("frobnicate")
    assert "`frobnicate` is not a /checkin subcommand" in refused.value.message
    assert "/checkin report" in refused.value.usage


@pytest.mark.parametrize(
    ("typed", "value"),
    [("12", 12.0), ("-3.5", -3.5), ("1,200", 1200.0), ("95%", 95.0), (" .5 ", 0.5), ("+2", 2.0)],
)
def test_figures_as_people_type_them(typed, value):
    assert decimal_number(typed) == value


@pytest.mark.parametrize("typed", ["lots", "", "1,2", "12 days", "1e5", "nan", "inf", "12.5.1"])
def test_what_is_not_a_figure(typed):
    assert decimal_number(typed) is None


def test_neither_direction_is_better_when_a_measure_says_so():
    request = parse_checkin("measure add Referrals unit per-week neither")
    assert request == AddMeasure("Referrals", "per-week", None, MeasureDirection.NEITHER)


def test_the_measure_forms_list_data_rebase_and_remove():
    assert parse_checkin("measure list") == ListMeasures()
    assert parse_checkin("measure data Waiting time") == PasteData("Waiting time")
    assert parse_checkin("measure rebase Waiting time 2027-04-01") == RebaseMeasure(
        "Waiting time", date(2027, 4, 1)
    )
    assert parse_checkin("measure rebase Waiting time none") == RebaseMeasure("Waiting time", None)
    assert parse_checkin("measure remove Waiting time") == RemoveMeasure("Waiting time")


@pytest.mark.parametrize(
    ("text", "said", "form"),
    [
        ("measure rebase Waiting time 2027-02-30", "`YYYY-MM-DD`, or `none`", "measure rebase"),
        ("measure rebase 2027-04-01", "Name the measure", "measure rebase"),
        ("measure data", "Name the measure", "measure data"),
        ("measure remove", "Name the measure", "measure remove"),
        ("measure add", "Name the measure", "measure add"),
    ],
)
def test_a_measure_form_missing_its_parts_is_refused_with_that_form(text, said, form):
    with pytest.raises(UsageError, match=re.escape(said)) as refused:
        parse_checkin(text)
    assert refused.value.usage.startswith(f"`/checkin {form} ")
    assert refused.value.usage.count("`/checkin") == 1


def test_a_rebase_date_that_is_not_a_date_is_named():
    with pytest.raises(UsageError) as refused:
        parse_checkin("measure rebase Waiting time 2026-13-01")
    assert refused.value.message.startswith("`2026-13-01` is not a date. End with the first date")
    with pytest.raises(UsageError) as left_out:
        parse_checkin("measure rebase Waiting time")
    assert left_out.value.message.startswith("End with the first date")


@pytest.mark.parametrize("text", ["measure", "measure rename Waiting time"])
def test_an_unknown_measure_form_shows_every_measure_form(text):
    with pytest.raises(UsageError) as refused:
        parse_checkin(text)
    assert "`/checkin measure` takes `add`, `list`, `data`, `rebase` or `remove`" in (
        refused.value.message
    )
    for form in ("add NAME", "list", "data NAME", "rebase NAME", "remove NAME"):
        assert f"`/checkin measure {form}" in refused.value.usage


def test_help_lists_every_measure_form():
    usage = CHECKIN.usage()
    for form in (
        "measure add NAME [unit U] [target T] [lower-is-better|neither]",
        "measure list",
        "measure data NAME",
        "measure rebase NAME YYYY-MM-DD|none",
        "measure remove NAME",
    ):
        assert f"`/checkin {form}`" in usage
