"""The project's record as a CSV file that spreadsheets open safely."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from bot.services.export import RecordEvent
from bot.views.message import Upload
from bot.views.text import counted

COLUMNS = ("when", "event", "stage", "who", "role", "detail")
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def record_csv(
    events: list[RecordEvent], *, timezone: str, names: dict[str, str] | None = None
) -> bytes:
    """One header row, then one row per event, times in the project's time zone.

    "who" reads "Alex Morgan (UALEX)" for a person `names` knows, the id alone otherwise.
    """
    known = names or {}
    zone = ZoneInfo(timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for event in events:
        row = (
            event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            event.event,
            "" if event.stage is None else str(event.stage),
            f"{known[event.who]} ({event.who})" if event.who in known else event.who,
            event.role,
            event.detail,
        )
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    # A byte-order mark lets Excel read the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def spreadsheet_safe(cell: str) -> str:
    """Neutralise a cell that a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def record_upload(
    project_name: str,
    events: list[RecordEvent],
    *,
    timezone: str,
    names: dict[str, str] | None = None,
) -> Upload:
    safe_name = "".join(c if c.isalnum() or c in "-_" else "-" for c in project_name)[:60]
    return Upload(
        filename=f"changebot-{safe_name or 'project'}.csv",
        title=f"The record of {project_name}",
        content=record_csv(events, timezone=timezone, names=names),
        comment=f"Here is the record of the project: {counted(len(events), 'event')}.",
    )
