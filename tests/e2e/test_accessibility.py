"""What a screen-reader user hears, and a phone's notification shows, of changebot's posts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from .conftest import Workspace


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message.get("blocks") or []
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("type") == "button"
    ]


def test_the_leads_feedback_list_tells_its_buttons_apart_by_the_feedback(workspace: Workspace):
    workspace.command("/feedback", "The car park is full")
    workspace.command("/feedback", "Nobody answered the phone")
    buttons = _buttons(workspace.command("/feedback", "list").json())
    assert [button["text"]["text"] for button in buttons] == ["We did something about this"] * 2
    assert [button["accessibility_label"] for button in buttons] == [
        "We did something about this: “Nobody answered the phone”",
        "We did something about this: “The car park is full”",
    ]


def test_the_next_check_in_is_shown_in_each_viewers_time_zone_and_names_the_projects(
    workspace: Workspace,
):
    workspace.command("/checkin", "schedule on 2099-01-05 09:00 Ward review")
    run = int(datetime(2099, 1, 5, 9, 0, tzinfo=UTC).timestamp())
    overview = workspace.command("/plan", "").text
    assert (
        f"Next check-in: <!date^{run}^{{date_long_pretty}} at {{time}}"
        "|Monday 5 January 2099 at 09:00 GMT>." in overview
    )
    workspace.command("/checkin", "schedule weekly mon 09:00 Weekly review")
    listed = json.dumps(workspace.command("/checkin", "list").json(), ensure_ascii=False)
    assert re.search(
        r"every Monday at 09:00 · next Monday \d+ \w+ \d{4} at 09:00 (GMT|BST)", listed
    )
