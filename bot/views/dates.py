"""Dates and times as people read them in Slack: never a day without its month and year, and
a time with the time zone it is in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


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
