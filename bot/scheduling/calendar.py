"""When a schedule's runs happen (SPEC §2): local wall-clock time, never on a bank holiday.

A run is the schedule's time of day on one of its days, in the project's
time zone, so 15:00 stays 15:00 across daylight-saving changes. A time the
spring change skips runs at the first instant after the gap (01:30 in
Europe/London becomes 02:00 BST); a time the autumn change repeats runs
once, at its first occurrence. A run that falls on a bank holiday of the
project's calendar moves to the next working day (Monday to Friday, not a
bank holiday) at the same local time, and runs that land on the same
instant are one run: a schedule's runs are a set of instants.

Moving only ever pushes a run later, and by at most `LONGEST_MOVE`: that
bounds how many days `next_run` and `latest_run` have to look at around
the instant they are given, so both are a short loop over candidate days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from apscheduler.triggers.base import BaseTrigger

from bot.parsing.schedule import ScheduleSpec, parse_schedule

# The calendars a project can use: the UK's nations, as subdivisions of `holidays`' GB.
CALENDARS: dict[str, str] = {"GB-ENG": "ENG", "GB-SCT": "SCT", "GB-WLS": "WLS", "GB-NIR": "NIR"}

# The longest stretch a run can be moved: in these calendars four days (Christmas
# on a Saturday moves to the Wednesday), so a week leaves room for a new holiday.
LONGEST_MOVE = timedelta(days=7)
# How many days to look through for a recurring schedule's runs: the longest gap
# between two of its days (a month), a move either side, and room to spare.
_LOOK_DAYS = 62


def is_working_day(day: date, calendar: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(calendar, day.year)


def add_working_days(start: datetime, days: int, *, timezone: str, calendar: str) -> datetime:
    """The same local time `days` working days after `start` (aware), as aware UTC.

    Escalation deadlines count like this: a concern raised on Friday at 16:00
    is due a reminder three working days later, on Wednesday at 16:00.
    """
    zone = ZoneInfo(timezone)
    local = start.astimezone(zone)
    day = local.date()
    for _ in range(days):
        day = _next_working_day(day, calendar)
    return _instant(day, local.time(), zone)


def next_run(
    spec: ScheduleSpec, *, after: datetime, timezone: str, calendar: str, anchor: date
) -> datetime | None:
    """The first run strictly after `after` (aware), as aware UTC; None once a one-off is past.

    Days from a week before `after` count too: a run moved off a holiday may
    land after it.
    """
    zone = ZoneInfo(timezone)
    start = after.astimezone(zone).date() - LONGEST_MOVE
    best: datetime | None = None
    for day in _days(spec, anchor, start, step=1):
        if best is not None and _instant(day, spec.at, zone) >= best:
            break  # this day's run, and every later day's, is no earlier even unmoved
        run = _run_on(spec, day, zone, calendar)
        if run > after and (best is None or run < best):
            best = run
    return best


def latest_run(
    spec: ScheduleSpec, *, at_or_before: datetime, timezone: str, calendar: str, anchor: date
) -> datetime | None:
    """The latest run at or before the instant, as aware UTC.

    A job that fires late (coalesced after downtime) names its run by this,
    so every instance, however late, agrees on which run it is doing.
    """
    zone = ZoneInfo(timezone)
    best: datetime | None = None
    for day in _days(spec, anchor, at_or_before.astimezone(zone).date(), step=-1):
        if best is not None and _instant(day + LONGEST_MOVE, spec.at, zone) < best:
            break  # however far this day's run moved, it would still be earlier
        run = _run_on(spec, day, zone, calendar)
        if run <= at_or_before and (best is None or run > best):
            best = run
    return best


class ScheduleTrigger(BaseTrigger):
    """An APScheduler 3 trigger for our grammar.

    The job store pickles triggers. This one pickles as plain fields with a
    version (canonical spec text, time zone, calendar code, anchor as an ISO
    date), so a stored job still loads after the classes behind it change.
    """

    __slots__ = ("_spec", "anchor", "calendar", "spec", "timezone")

    def __init__(self, spec: str, *, timezone: str, calendar: str, anchor: date) -> None:
        self._spec = parse_schedule(spec)
        self.spec = self._spec.canonical()
        self.timezone = ZoneInfo(timezone).key
        # Refuse an unknown calendar now rather than at the first run.
        _bank_holidays(calendar, anchor.year)
        self.calendar = calendar
        self.anchor = anchor

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The run after the previous one, or the first after now for a new job.

        Counting from the previous run lets APScheduler see the runs missed
        while changebot was down, and coalesce them into one.
        """
        return next_run(
            self._spec,
            after=previous_fire_time or now,
            timezone=self.timezone,
            calendar=self.calendar,
            anchor=self.anchor,
        )

    def __getstate__(self) -> dict[str, Any]:
        spec, timezone, calendar, anchor = self._fields()
        return {
            "version": 1,
            "spec": spec,
            "timezone": timezone,
            "calendar": calendar,
            "anchor": anchor.isoformat(),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version") != 1:
            raise ValueError(
                f"cannot load a ScheduleTrigger stored as version {state.get('version')}"
            )
        ScheduleTrigger.__init__(
            self,
            state["spec"],
            timezone=state["timezone"],
            calendar=state["calendar"],
            anchor=date.fromisoformat(state["anchor"]),
        )

    def __eq__(self, other: object) -> bool:
        """Equal triggers fire at the same times: a stored job that equals a new one can stay."""
        return isinstance(other, ScheduleTrigger) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __str__(self) -> str:
        return f"schedule[{self.spec}, {self.timezone}, {self.calendar}]"

    def __repr__(self) -> str:
        return (
            f"ScheduleTrigger({self.spec!r}, timezone={self.timezone!r}, "
            f"calendar={self.calendar!r}, anchor={self.anchor!r})"
        )

    def _fields(self) -> tuple[str, str, str, date]:
        return (self.spec, self.timezone, self.calendar, self.anchor)


def _days(spec: ScheduleSpec, anchor: date, start: date, *, step: int) -> Iterator[date]:
    """A one-off's day, or a recurring schedule's days within `_LOOK_DAYS` of `start`,
    forwards (step 1) or backwards (step -1)."""
    if spec.on is not None:
        yield spec.on
        return
    for offset in range(_LOOK_DAYS):
        day = start + timedelta(days=step * offset)
        if _falls_on(spec, day, anchor):
            yield day


def _falls_on(spec: ScheduleSpec, day: date, anchor: date) -> bool:
    """Whether a recurring schedule is due on a local day, before any move off a holiday.

    A fortnightly schedule's first day is the first matching day on or after
    the anchor (when it was created); then every other week.
    """
    if spec.weekday is not None:
        in_step = spec.every == "weekly" or (day >= anchor and (day - anchor).days // 7 % 2 == 0)
        return day.weekday() == spec.weekday and in_step
    if spec.day_of_month is not None:
        return day.day == spec.day_of_month
    return spec.every == "daily" or day.weekday() < 5


def _run_on(spec: ScheduleSpec, day: date, zone: ZoneInfo, calendar: str) -> datetime:
    """The instant of the run due on a local day, moved to the next working day off a holiday."""
    if day in _bank_holidays(calendar, day.year):
        day = _next_working_day(day, calendar)
    return _instant(day, spec.at, zone)


def _next_working_day(day: date, calendar: str) -> date:
    for offset in range(1, LONGEST_MOVE.days + 1):
        later = day + timedelta(days=offset)
        if is_working_day(later, calendar):
            return later
    raise ValueError(f"the {calendar} calendar has no working day in the week after {day}")


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as aware UTC: the first of a repeated time, or the gap's end."""
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first occurrence
    return wall.astimezone(UTC) if _exists(wall) else _end_of_gap(wall)


def _exists(wall: datetime) -> bool:
    """Whether a local time happens at all (the spring change skips some)."""
    round_trip = wall.astimezone(UTC).astimezone(wall.tzinfo)
    return round_trip.replace(tzinfo=None) == wall.replace(tzinfo=None)


def _end_of_gap(wall: datetime) -> datetime:
    """The first instant after the local times a clock change skips, `wall` among them."""
    minute = wall.replace(second=0, microsecond=0)
    for minutes in range(1, 24 * 60 + 1):
        later = minute + timedelta(minutes=minutes)
        if _exists(later):
            return later.astimezone(UTC)
    raise ValueError(f"{wall} is in a clock change longer than a day")


@lru_cache(maxsize=256)
def _bank_holidays(calendar: str, year: int) -> frozenset[date]:
    """A year of a calendar's bank holidays, substitute days included; cached, as every
    schedule in the calendar asks for the same few years."""
    subdivision = CALENDARS.get(calendar)
    if subdivision is None:
        raise ValueError(f"unknown calendar {calendar!r}: use one of {', '.join(CALENDARS)}")
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))
