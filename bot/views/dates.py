"""Dates and times as people read them in Slack: never a day without its month and year, and
a time with the time zone it is in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.parsing.schedule import ScheduleSpec


def day(on: date) -> str:
    """ "2 Mar 2026"."""
    return f"{on.day} {on:%b %Y}"


def moment(instant: datetime, zone: ZoneInfo) -> str:
    """ "Monday 22 March 2027 at 09:00 GMT": in the project's time zone, which it names."""
    local = instant.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M %Z}"


def viewers_moment(instant: datetime, zone: ZoneInfo) -> str:
    """Slack's date token: each person sees the moment in their own time zone and clock
    format; where Slack cannot show the token, it shows `moment` in the project's."""
    shown = "{date_long_pretty} at {time}"
    return f"<!date^{int(instant.timestamp())}^{shown}|{moment(instant, zone)}>"


def schedule_times(spec: ScheduleSpec, first: datetime | None, zone: ZoneInfo) -> str:
    """When a new schedule posts, in the time zone it keeps: "every Friday at 15:00
    (Europe/London time), the first on Friday 4 December 2026 at 15:00 GMT"."""
    if first is None:
        return f"{spec.describe()} ({zone.key} time)"
    if spec.on is not None:
        return f"on {moment(first, zone)}"
    return f"{spec.describe()} ({zone.key} time), the first on {moment(first, zone)}"
