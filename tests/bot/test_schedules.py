"""When runs happen: local time across daylight saving, bank holidays moved, runs named."""

import pickle
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from bot.parsing.schedule import parse_schedule
from bot.scheduling.calendar import (
    ScheduleTrigger,
    add_working_days,
    is_working_day,
    latest_run,
    next_run,
)

LONDON = ZoneInfo("Europe/London")
ANCHOR = date(2027, 1, 1)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def _next(spec, after, *, calendar="GB-ENG", anchor=ANCHOR, timezone="Europe/London"):
    return next_run(
        parse_schedule(spec), after=after, timezone=timezone, calendar=calendar, anchor=anchor
    )


def _latest(spec, at_or_before, *, anchor=ANCHOR):
    return latest_run(
        parse_schedule(spec),
        at_or_before=at_or_before,
        timezone="Europe/London",
        calendar="GB-ENG",
        anchor=anchor,
    )


def _runs(spec, start, end, **options):
    """Every run after `start` up to `end`, by asking for the next run again and again."""
    runs = []
    run = _next(spec, start, **options)
    while run is not None and run <= end:
        runs.append(run)
        run = _next(spec, run, **options)
    return runs


def test_a_weekly_run_stays_at_local_time_across_the_spring_change():
    runs = _runs("weekly fri 15:00", utc(2027, 3, 15), utc(2027, 4, 3))
    # Good Friday (26 March) and Easter Monday are bank holidays: that run is on Tuesday.
    assert runs == [utc(2027, 3, 19, 15), utc(2027, 3, 30, 14), utc(2027, 4, 2, 14)]
    assert {run.astimezone(LONDON).hour for run in runs} == {15}


def test_a_weekly_run_stays_at_local_time_across_the_autumn_change():
    runs = _runs("weekly fri 15:00", utc(2027, 10, 25), utc(2027, 11, 6))
    assert runs == [utc(2027, 10, 29, 14), utc(2027, 11, 5, 15)]


def test_a_time_the_spring_change_skips_runs_when_the_clocks_have_gone_forward():
    runs = _runs("daily 01:30", utc(2027, 3, 27, 12), utc(2027, 3, 28, 12))
    assert runs == [utc(2027, 3, 28, 1)]
    assert runs[0].astimezone(LONDON).strftime("%H:%M %Z") == "02:00 BST"


def test_a_time_the_autumn_change_repeats_runs_once_at_its_first_occurrence():
    runs = _runs("daily 01:30", utc(2027, 10, 30, 12), utc(2027, 11, 1, 12))
    assert runs == [utc(2027, 10, 31, 0, 30), utc(2027, 11, 1, 1, 30)]
    assert runs[0].astimezone(LONDON).strftime("%H:%M %Z") == "01:30 BST"


def test_a_run_on_easter_monday_moves_to_the_tuesday():
    assert _next("weekly mon 09:00", utc(2027, 3, 23)) == utc(2027, 3, 30, 8)


def test_daily_runs_over_christmas_move_to_the_next_working_day_without_duplicates():
    # 2027: Christmas and Boxing Day fall on the weekend, and the Monday and
    # Tuesday after are their substitute bank holidays; New Year's Day is a
    # Saturday, its substitute Monday 3 January 2028.
    holidays = [date(2027, 12, d) for d in (25, 26, 27, 28)] + [date(2028, 1, 1), date(2028, 1, 3)]
    assert not any(is_working_day(day, "GB-ENG") for day in holidays)
    runs = _runs("daily 09:00", utc(2027, 12, 22), utc(2028, 1, 5, 12))
    run_days = [run.date() for run in runs]
    assert run_days == [
        date(2027, 12, 22),
        date(2027, 12, 23),
        date(2027, 12, 24),
        date(2027, 12, 29),  # the runs of the 25th to the 29th, as one
        date(2027, 12, 30),
        date(2027, 12, 31),
        date(2028, 1, 2),  # a Sunday, but not a bank holiday: a daily run stays
        date(2028, 1, 4),  # the runs of the 1st, the 3rd and the 4th, as one
        date(2028, 1, 5),
    ]
    assert {run.time() for run in runs} == {time(9, 0)}


def test_weekday_runs_skip_bank_holidays_without_running_twice():
    runs = _runs("weekdays 09:00", utc(2027, 3, 25), utc(2027, 3, 31, 12))
    assert [run.date() for run in runs] == [date(2027, 3, 25), date(2027, 3, 30), date(2027, 3, 31)]


def test_a_monthly_run_on_new_years_day_moves_to_the_first_working_day():
    assert _next("monthly 1 09:00", utc(2026, 12, 15)) == utc(2027, 1, 4, 9)
    assert _next("monthly 1 09:00", utc(2027, 1, 4, 9)) == utc(2027, 2, 1, 9)


def test_fortnightly_runs_count_every_other_week_from_the_anchor():
    wednesday = date(2027, 1, 6)
    runs = _runs("fortnightly fri 15:00", utc(2027, 1, 1), utc(2027, 2, 6), anchor=wednesday)
    assert runs == [utc(2027, 1, 8, 15), utc(2027, 1, 22, 15), utc(2027, 2, 5, 15)]


def test_a_fortnightly_schedule_made_on_its_day_runs_that_day_first():
    friday = date(2027, 1, 15)
    runs = _runs("fortnightly fri 15:00", utc(2027, 1, 15, 10), utc(2027, 2, 1), anchor=friday)
    assert runs == [utc(2027, 1, 15, 15), utc(2027, 1, 29, 15)]


def test_a_one_off_runs_once_and_then_has_no_next_run():
    assert _next("on 2027-03-01 09:00", utc(2027, 1, 1)) == utc(2027, 3, 1, 9)
    assert _next("on 2027-03-01 09:00", utc(2027, 3, 1, 9)) is None
    assert _next("on 2020-03-02 09:00", utc(2027, 1, 1)) is None


def test_a_one_off_on_a_bank_holiday_moves_too():
    assert _next("on 2027-12-25 09:00", utc(2027, 12, 1)) == utc(2027, 12, 29, 9)


def test_a_job_firing_three_hours_late_is_doing_the_run_it_was_due_for():
    due = utc(2027, 4, 2, 14)
    assert _latest("weekly fri 15:00", due.replace(hour=17)) == due
    assert _latest("weekly fri 15:00", due) == due


def test_after_days_down_the_late_job_is_doing_the_latest_missed_run():
    # Down for a week, back at 08:00 local (07:00Z): the run to do is yesterday's.
    assert _latest("daily 09:00", utc(2027, 6, 10, 7)) == utc(2027, 6, 9, 8)


def test_the_latest_run_knows_runs_moved_past_later_days():
    # Christmas runs move to the 29th: on the 28th the latest run is Christmas Eve's.
    assert _latest("daily 09:00", utc(2027, 12, 28, 12)) == utc(2027, 12, 24, 9)
    assert _latest("daily 09:00", utc(2027, 12, 29, 9)) == utc(2027, 12, 29, 9)


def test_there_is_no_latest_run_before_a_schedule_begins():
    assert _latest("fortnightly fri 15:00", utc(2027, 1, 8), anchor=date(2027, 1, 6)) is None
    assert _latest("on 2027-03-01 09:00", utc(2027, 2, 1)) is None


def test_working_days_skip_the_weekend():
    friday_afternoon = utc(2027, 1, 8, 16)
    assert add_working_days(
        friday_afternoon, 3, timezone="Europe/London", calendar="GB-ENG"
    ) == utc(2027, 1, 13, 16)


def test_working_days_skip_bank_holidays_and_keep_the_local_time():
    # Thursday before Easter, in GMT; Good Friday and Easter Monday are skipped,
    # and the clocks go forward on the Sunday: still 10:00 local.
    thursday = utc(2027, 3, 25, 10)
    later = add_working_days(thursday, 3, timezone="Europe/London", calendar="GB-ENG")
    assert later == utc(2027, 4, 1, 9)
    assert later.astimezone(LONDON).hour == 10


def test_scotland_has_its_own_bank_holidays():
    # 2 January is a bank holiday in Scotland only (in 2027 a Saturday,
    # with Monday 4 January as its substitute).
    assert is_working_day(date(2027, 1, 4), "GB-ENG")
    assert not is_working_day(date(2027, 1, 4), "GB-SCT")
    after_new_year = utc(2027, 1, 1, 12)
    assert _next("daily 09:00", after_new_year) == utc(2027, 1, 2, 9)
    assert _next("daily 09:00", after_new_year, calendar="GB-SCT") == utc(2027, 1, 3, 9)
    assert _next("weekly mon 09:00", after_new_year, calendar="GB-SCT") == utc(2027, 1, 5, 9)


@pytest.mark.parametrize("calendar", ["GB-WLS", "GB-NIR"])
def test_wales_and_northern_ireland_are_calendars_too(calendar):
    assert not is_working_day(date(2027, 12, 27), calendar)


def test_northern_ireland_keeps_st_patricks_day():
    assert not is_working_day(date(2027, 3, 17), "GB-NIR")
    assert is_working_day(date(2027, 3, 17), "GB-ENG")


def test_an_unknown_calendar_or_time_zone_is_refused():
    with pytest.raises(ValueError, match="unknown calendar 'FR'"):
        is_working_day(date(2027, 1, 4), "FR")
    with pytest.raises(ValueError, match="unknown calendar"):
        ScheduleTrigger("daily 09:00", timezone="Europe/London", calendar="XX", anchor=ANCHOR)
    with pytest.raises(ZoneInfoNotFoundError):
        ScheduleTrigger("daily 09:00", timezone="Mars/Olympus", calendar="GB-ENG", anchor=ANCHOR)


def test_runs_follow_the_time_zone_they_are_in():
    assert _next("daily 09:00", utc(2027, 7, 1), timezone="America/New_York") == utc(2027, 7, 1, 13)


def _trigger(spec="weekly fri 15:00", anchor=ANCHOR):
    return ScheduleTrigger(spec, timezone="Europe/London", calendar="GB-ENG", anchor=anchor)


def test_the_trigger_pickles_as_plain_fields_and_fires_where_next_run_says():
    trigger = _trigger("fortnightly Friday 15:00", anchor=date(2027, 1, 6))
    stored = pickle.dumps(trigger)
    assert b"ScheduleSpec" not in stored
    loaded = pickle.loads(stored)  # noqa: S301 (what this test pickled itself)
    assert loaded == trigger
    assert loaded.spec == "fortnightly fri 15:00"
    now = utc(2027, 3, 1)
    expected = _next("fortnightly fri 15:00", now, anchor=date(2027, 1, 6))
    assert loaded.get_next_fire_time(None, now) == expected == utc(2027, 3, 5, 15)


def test_the_trigger_counts_from_the_previous_run_so_missed_runs_are_seen():
    trigger = _trigger()
    now = utc(2027, 4, 20)
    missed = trigger.get_next_fire_time(utc(2027, 4, 2, 14), now)
    assert missed == utc(2027, 4, 9, 14)
    assert missed < now


def test_a_trigger_from_a_newer_version_is_refused():
    state = _trigger().__getstate__() | {"version": 2}
    with pytest.raises(ValueError, match="version 2"):
        ScheduleTrigger.__new__(ScheduleTrigger).__setstate__(state)


def test_triggers_differ_when_anything_that_decides_their_runs_differs():
    assert _trigger() == _trigger("weekly Friday 15:00")
    assert hash(_trigger()) == hash(_trigger("weekly Friday 15:00"))
    assert _trigger() != _trigger("weekly fri 16:00")
    assert _trigger() != _trigger(anchor=date(2027, 1, 2))
    assert str(_trigger()) == "schedule[weekly fri 15:00, Europe/London, GB-ENG]"
