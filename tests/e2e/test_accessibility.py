"""What a screen-reader user hears, and a phone's notification shows, of changebot's posts."""

from __future__ import annotations

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
