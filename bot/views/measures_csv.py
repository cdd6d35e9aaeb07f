"""`measures.csv`: every point of every measure with its mean, limits and variation (SPEC §8).

    measures_csv([("Waiting time", chart), ("Falls", other_chart)]) -> bytes

One header row, exactly `COLUMNS`, then one row per point, ordered by measure
name then date. Dates are `YYYY-MM-DD`. Numbers are plain decimals rounded to
six decimal places with trailing zeros dropped (`23.2`, `0.666667`, `-4`): no
exponent, no thousands separator, enough for rates and percentages alike.
Variation is one of `common cause`, `improvement`, `concern`, `special cause`.
Below 13 points the mean is given and the limits and variation are blank.

Measure names are user text: a name a spreadsheet would run as a formula is
neutralised as in the project's record export. The file is UTF-8 without a
byte-order mark, so that its first line is exactly the header; rows end in
CRLF (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.services.process_control import JudgedPoint, ProcessChart
from bot.views.export import spreadsheet_safe

COLUMNS = (
    "measure",
    "date",
    "value",
    "mean",
    "lower_process_limit",
    "upper_process_limit",
    "variation",
)
DECIMAL_PLACES = 6


def measures_csv(charts: Sequence[tuple[str, ProcessChart]]) -> bytes:
    """The CSV of `charts`, each given with its measure's name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for name, chart in sorted(charts, key=lambda named: (named[0].casefold(), named[0])):
        writer.writerows(_row(name, point) for point in chart.points)
    return out.getvalue().encode("utf-8")


def _row(name: str, point: JudgedPoint) -> tuple[str, ...]:
    return (
        spreadsheet_safe(name),
        point.date.isoformat(),
        plain_decimal(point.value),
        plain_decimal(point.mean),
        "" if point.lower_limit is None else plain_decimal(point.lower_limit),
        "" if point.upper_limit is None else plain_decimal(point.upper_limit),
        "" if point.variation is None else str(point.variation),
    )


def plain_decimal(number: float) -> str:
    """`number` to six decimal places without exponent or trailing zeros; never `-0`."""
    text = f"{number:.{DECIMAL_PLACES}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
