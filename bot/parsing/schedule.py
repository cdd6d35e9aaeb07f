"""Schedule text (SPEC §2) into a `ScheduleSpec`, and back into words.

A schedule is typed inside other commands (`/checkin schedule weekly mon
09:00 Ward review`, `/principles remind weekly fri 15:00`), so besides
parsing a whole text (`parse_schedule`) the grammar can take a schedule off
the front of one and hand back the rest (`split_schedule`). What is stored
is the canonical text, which parses back to the same spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from bot.errors import InvalidInput
from bot.parsing.forms import iso_date
from bot.parsing.slack_text import to_plain

Every = Literal["daily", "weekdays", "weekly", "fortnightly", "monthly", "once"]

# Each kind's form, as usage shows it: its first word, what follows, and how many words.
_USAGE: dict[Every, str] = {
    "daily": "daily HH:MM",
    "weekdays": "weekdays HH:MM",
    "weekly": "weekly DAY HH:MM",
    "fortnightly": "fortnightly DAY HH:MM",
    "monthly": "monthly N HH:MM",
    "once": "on YYYY-MM-DD HH:MM",
}
_NOTES: dict[Every, str] = {"monthly": " (N = 1–28)", "once": " (once)"}
_FIRST_WORDS: dict[str, Every] = {usage.split()[0]: every for every, usage in _USAGE.items()}
# The field of the spec that holds the word between the first and the time.
_FIELD: dict[Every, str] = {
    "weekly": "weekday",
    "fortnightly": "weekday",
    "monthly": "day_of_month",
    "once": "on",
}

SCHEDULE_FORMS = (
    " · ".join(f"`{usage}`{_NOTES.get(every, '')}" for every, usage in _USAGE.items())
    + ", where DAY is mon…sun"
)

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LAST_DAY_OF_MONTH = 28  # the last day that every month has
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class ScheduleSpec:
    """When something recurs, in the project's local time."""

    every: Every
    at: time
    weekday: int | None = None  # 0 = Monday, for weekly and fortnightly
    day_of_month: int | None = None  # monthly
    on: date | None = None  # once

    def __post_init__(self) -> None:
        """Refuse a spec whose fields do not fit its kind: its canonical text would not parse."""
        given = {
            name for name in ("weekday", "day_of_month", "on") if getattr(self, name) is not None
        }
        wanted = {_FIELD[self.every]} if self.every in _FIELD else set()
        if given != wanted:
            raise ValueError(f"a {self.every} schedule sets {wanted or 'no day'}, not {given}")

    def canonical(self) -> str:
        """The normalised text stored in `Schedule.spec`: "weekly fri 15:00"."""
        first = _USAGE[self.every].split()[0]
        return " ".join(word for word in (first, self._middle(), f"{self.at:%H:%M}") if word)

    def describe(self) -> str:
        """For people: "every Friday at 15:00", "on the 3rd of every month at 09:00"."""
        return f"{self._days()} at {self.at:%H:%M}"

    def _middle(self) -> str:
        if self.weekday is not None:
            return DAYS[self.weekday][:3]
        if self.day_of_month is not None:
            return str(self.day_of_month)
        return self.on.isoformat() if self.on is not None else ""

    def _days(self) -> str:
        if self.on is not None:
            return f"on {DAYS[self.on.weekday()].title()} {self.on.day} {self.on:%B %Y}"
        if self.day_of_month is not None:
            return f"on the {_ordinal(self.day_of_month)} of every month"
        if self.weekday is not None:
            every = "every other" if self.every == "fortnightly" else "every"
            return f"{every} {DAYS[self.weekday].title()}"
        return "every weekday" if self.every == "weekdays" else "every day"


def parse_schedule(text: str) -> ScheduleSpec:
    """A whole text as a schedule; anything after the time is an error."""
    spec, rest = split_schedule(text)
    if rest:
        raise _invalid(f"`{to_plain(rest)}` after the time is not part of a schedule.")
    return spec


def split_schedule(text: str) -> tuple[ScheduleSpec, str]:
    """The schedule at the start of `text`, and the rest of the text (stripped)."""
    first = text.split(None, 1)[0].lower() if text.strip() else ""
    every = _FIRST_WORDS.get(first)
    if every is None:
        shown = f"`{to_plain(first)}` is not a schedule." if first else "The schedule is missing."
        raise _invalid(shown)
    usage = _USAGE[every]
    size = len(usage.split())
    words = text.split(None, size)
    if len(words) < size:
        raise _invalid(f"`{to_plain(text.strip())}` is missing something: write `{usage}`.")
    return _spec(every, words[1:size]), words[size] if len(words) > size else ""


def _spec(every: Every, words: list[str]) -> ScheduleSpec:
    """The words after the first, checked in the order people wrote them."""
    if every == "once":
        on = _date(words[0])
        return ScheduleSpec(every, _time(words[1]), on=on)
    if every == "monthly":
        day_of_month = _day_of_month(words[0])
        return ScheduleSpec(every, _time(words[1]), day_of_month=day_of_month)
    if every in ("weekly", "fortnightly"):
        weekday = _weekday(words[0])
        return ScheduleSpec(every, _time(words[1]), weekday=weekday)
    return ScheduleSpec(every, _time(words[0]))


def _time(word: str) -> time:
    match = _TIME.fullmatch(word)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _invalid(
            f"`{to_plain(word)}` is not a time of day: write it as HH:MM on the 24-hour clock, "
            "for example `09:00` or `15:30`."
        )
    return time(int(match.group(1)), int(match.group(2)))


def _weekday(word: str) -> int:
    lowered = word.lower()
    for number, name in enumerate(DAYS):
        if lowered in (name, name[:3]):
            return number
    raise _invalid(f"`{to_plain(word)}` is not a day of the week: use mon, tue, wed … sun.")


def _day_of_month(word: str) -> int:
    if not re.fullmatch(r"[0-9]{1,2}", word) or not 1 <= int(word) <= LAST_DAY_OF_MONTH:
        raise _invalid(
            f"`{to_plain(word)}` is not a day of the month every month has: "
            f"pick 1 to {LAST_DAY_OF_MONTH}."
        )
    return int(word)


def _date(word: str) -> date:
    day = iso_date(word)
    if day is not None:
        return day
    if _DATE.fullmatch(word):
        raise _invalid(f"`{word}` is not a day on the calendar.")
    raise _invalid(f"`{to_plain(word)}` is not a date: write it as YYYY-MM-DD.")


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _invalid(problem: str) -> InvalidInput:
    return InvalidInput(f"{problem} A schedule is one of: {SCHEDULE_FORMS}.")
