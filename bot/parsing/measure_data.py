"""Pasted data points: one `YYYY-MM-DD VALUE` a line, a comma, tab or spaces between (SPEC §8).

    parse_points("2024-01-01, 12\n2024-01-08\t14.5\n") -> [(date(2024, 1, 1), 12.0), ...]

All or nothing: one bad line refuses the whole paste, and the refusal names
every bad line by its number (blank lines are skipped but still counted, so
the numbers match the lines the person sees). A line is bad when it has no
value, a date that is not a real `YYYY-MM-DD` day, a value that is not a
number, anything after the value, or the date of an earlier line.
"""

from __future__ import annotations

import re
from datetime import date

from bot.errors import InvalidInput
from bot.parsing.checkin import decimal_number
from bot.parsing.forms import iso_date

# Slack's limit for a plain-text input: about 150 lines of data.
PASTE_LENGTH = 3000
_SEPARATOR = re.compile(r"\s*[,\t]\s*|\s+")
_NAMED = 5  # bad lines described one by one; the rest only counted

Point = tuple[date, float]


def parse_points(text: str) -> list[Point]:
    """The pasted points in the order given; InvalidInput naming every bad line."""
    points: list[Point] = []
    problems: list[tuple[int, str]] = []
    first_line_of: dict[date, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        point, problem = _point(line)
        if point is not None and point[0] in first_line_of:
            problem = f"repeats the date of line {first_line_of[point[0]]}"
        if point is None or problem is not None:
            problems.append((number, problem or "is not `YYYY-MM-DD VALUE`"))
            continue
        first_line_of[point[0]] = number
        points.append(point)
    if problems:
        raise InvalidInput(_refusal(problems))
    if not points:
        raise InvalidInput("Paste at least one line of `YYYY-MM-DD VALUE`, like `2024-01-31 12`.")
    return points


def _point(line: str) -> tuple[Point | None, str | None]:
    """One line's point, or what is wrong with it (`1,200` after a date is one thousand two
    hundred: the first separator ends the date, the rest is the value)."""
    fields = _SEPARATOR.split(line.strip(), maxsplit=1)
    day = iso_date(fields[0])
    if day is None:
        return None, "does not start with a date as `YYYY-MM-DD`"
    if len(fields) < 2 or not fields[1]:
        return None, "has no value after its date"
    value = decimal_number(fields[1])
    if value is not None:
        return (day, value), None
    if len(_SEPARATOR.split(fields[1])) > 1:
        return None, "has something after its value"
    return None, "has a value that is not a number"


def _refusal(problems: list[tuple[int, str]]) -> str:
    numbers = [number for number, _ in problems]
    listed = ", ".join(str(number) for number in numbers)
    which = f"line {listed}" if len(numbers) == 1 else f"lines {listed}"
    details = "; ".join(f"line {number} {problem}" for number, problem in problems[:_NAMED])
    more = f"; and {len(problems) - _NAMED} more" if len(problems) > _NAMED else ""
    return f"Nothing was stored. Fix {which}: {details}{more}."
