"""The export's CSV: a header, one row per event, local times, no formulas."""

import csv
import io
from datetime import UTC, datetime

import pytest

from bot.services.export import RecordEvent
from bot.views.export import record_csv, record_upload, spreadsheet_safe

SUMMER = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_header_then_one_row_per_event_in_local_time():
    events = [RecordEvent(SUMMER, "stage added", 1, "U1", "", "Map the journey, with users")]
    rows = _rows(record_csv(events, timezone="Europe/London"))
    assert rows == [
        ["when", "event", "stage", "who", "role", "detail"],
        ["2027-07-01 09:30", "stage added", "1", "U1", "", "Map the journey, with users"],
    ]


@pytest.mark.parametrize("cell", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_neutralised(cell):
    assert spreadsheet_safe(cell) == "'" + cell


def test_ordinary_cells_are_untouched():
    assert spreadsheet_safe("Ward 3 = better") == "Ward 3 = better"


def test_the_file_is_named_after_the_project():
    upload = record_upload("new ward/3", [], timezone="UTC")
    assert upload.filename == "changebot-new-ward-3.csv"
    assert _rows(upload.content) == [["when", "event", "stage", "who", "role", "detail"]]
